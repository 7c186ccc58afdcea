/**
 * Who is asking: the client's address (for the per-address limits) and whether an `Origin` is this
 * server's own.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The client's address: the socket's, or the first X-Forwarded-For hop when `trustProxy` (RETURNS_TRUST_PROXY). */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? header(req, 'x-forwarded-for')?.split(',')[0]?.trim() : undefined;
  return (forwarded || req.socket.remoteAddress || 'unknown').slice(0, 64);
}

/**
 * True for a host name a browser cannot be tricked into using for another site (DNS rebinding):
 * `localhost` and IP literals. Any other name is this server's only when it is configured
 * (RETURNS_PUBLIC_URL).
 */
export function isFixedHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || isIP(h) !== 0;
}

/**
 * This server's own origins for a request: RETURNS_PUBLIC_URL's when it is set; otherwise the
 * request's `Host` (with X-Forwarded-Proto, else http) — but only when that host is `localhost` or
 * an IP address, so that `Origin == Host` under a name we were never given (a rebinding attacker's)
 * is not taken for "same origin".
 */
export function selfOrigins(req: IncomingMessage, publicUrl: string | undefined): string[] {
  if (publicUrl) {
    try {
      return [new URL(publicUrl).origin];
    } catch {
      return [];
    }
  }
  const host = header(req, 'host');
  if (!host) return [];
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    return [];
  }
  if (!isFixedHost(url.hostname)) return [];
  const proto = header(req, 'x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const scheme = proto === 'https' ? 'https' : 'http';
  return [`${scheme}://${url.host}`];
}
