/**
 * Staff access keys: random, shown once when created, stored only as a SHA-256 hash (a key has 256
 * bits of randomness, so a fast hash is enough; nothing reversible is kept).
 */
import { createHash, randomBytes } from 'node:crypto';

export function newAccessKey(): string {
  return `rbk_${randomBytes(32).toString('base64url')}`;
}

export function hashAccessKey(key: string): string {
  return createHash('sha256').update(key.trim()).digest('hex');
}

/** Names of staff accounts: letters, digits, dot, dash, underscore (used in audit trails). */
export const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
