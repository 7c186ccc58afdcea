/**
 * Direct Line tokens: each conversation gets its own signed, expiring token. A token names exactly
 * one conversation (and the customer's user id in it); it can never read or post to another.
 *
 * Format: `base64url(JSON payload).base64url(HMAC-SHA256(payload))`, opaque to Web Chat. The key is
 * shared by every instance on the same store (`store.secret`), or RETURNS_TOKEN_SECRET.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface TokenClaims {
  /** The conversation the token opens. */
  conversationId: string;
  /** The customer's user id in that conversation. */
  userId: string;
  /** Expiry, epoch seconds. */
  exp: number;
  /** Issued at, epoch seconds. */
  iat: number;
}

interface Payload {
  c: string;
  u: string;
  e: number;
  i: number;
  v: 1;
}

const b64 = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');
/** A token's form: the payload in base64url, a dot, an HMAC-SHA256 in base64url (43 characters). */
const TOKEN_FORM = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

export class TokenSigner {
  constructor(
    private readonly key: Buffer,
    /** Lifetime of a token, in seconds. */
    readonly ttlSeconds: number,
  ) {
    if (key.length < 32) throw new RangeError('the token key must be at least 32 bytes');
  }

  private mac(data: string): Buffer {
    return createHmac('sha256', this.key).update(data).digest();
  }

  /** A token for `conversationId` and `userId`, valid from `now` (epoch ms) for the lifetime. */
  sign(conversationId: string, userId: string, now: number): { token: string; expiresIn: number; claims: TokenClaims } {
    const iat = Math.floor(now / 1000);
    const payload: Payload = { c: conversationId, u: userId, e: iat + this.ttlSeconds, i: iat, v: 1 };
    const body = b64(JSON.stringify(payload));
    return {
      token: `${body}.${b64(this.mac(body))}`,
      expiresIn: this.ttlSeconds,
      claims: { conversationId, userId, exp: payload.e, iat },
    };
  }

  /** The claims of a valid, unexpired token; null for anything else (never throws). */
  verify(token: string | null | undefined, now: number): TokenClaims | null {
    // Exactly what sign() makes: base64url, a dot, and the 43 characters of the signature, nothing
    // after it (Buffer.from ignores characters that are not base64url, so it must not decide).
    if (!token || token.length > 2048 || !TOKEN_FORM.test(token)) return null;
    const dot = token.indexOf('.');
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    if (b64(given) !== token.slice(dot + 1)) return null;
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let p: Payload;
    try {
      p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
    } catch {
      return null;
    }
    if (p.v !== 1 || typeof p.c !== 'string' || typeof p.u !== 'string' || typeof p.e !== 'number') return null;
    if (p.e * 1000 <= now) return null;
    return { conversationId: p.c, userId: p.u, exp: p.e, iat: p.i };
  }

  /** A signature over `data` (short capability URLs for attachments), and its check. */
  capability(data: string): string {
    return b64(this.mac(`cap:${data}`)).slice(0, 32);
  }

  checkCapability(data: string, given: string | undefined): boolean {
    if (!given || given.length !== 32) return false;
    const a = Buffer.from(this.capability(data));
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** A new random key, as stored in the store's secrets. */
export function newTokenKey(): string {
  return randomBytes(48).toString('base64url');
}

/** The bearer token of an Authorization header. */
export function bearer(header: string | string[] | undefined): string | null {
  const h = Array.isArray(header) ? header[0] : header;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h.trim()) : null;
  return m?.[1] ?? null;
}
