/**
 * A token bucket per key (a conversation, a client address): `burst` requests at once, refilled at
 * `perMinute`.
 * In-process; with several instances each keeps its own buckets, which still bounds a runaway
 * client per instance. Old buckets are dropped so memory stays bounded.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = () => Date.now(),
    private readonly maxKeys = 100_000,
  ) {}

  /** Take one token (or `cost`) for `key`; returns 0 when allowed, else the seconds to wait. */
  take(key: string, cost = 1): number {
    return this.check(key, cost, true);
  }

  /** The seconds to wait before `key` may spend `cost`, without spending anything (0: it may now). */
  wait(key: string, cost = 1): number {
    return this.check(key, cost, false);
  }

  private check(key: string, cost: number, spend: boolean): number {
    if (this.perMinute <= 0) return 0;
    const now = this.now();
    const rate = this.perMinute / 60_000;
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.evict(now);
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) * rate);
    b.at = now;
    const need = cost;
    if (b.tokens >= need) {
      if (spend) b.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((need - b.tokens) / rate / 1000));
  }

  private evict(now: number): void {
    const full = this.burst / (this.perMinute / 60_000);
    for (const [k, b] of this.buckets) if (now - b.at > full) this.buckets.delete(k);
    if (this.buckets.size >= this.maxKeys) this.buckets.clear();
  }
}
