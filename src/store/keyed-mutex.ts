/**
 * An in-process keyed async mutex: `run(key, fn)` runs `fn` once every earlier `run` on the same key
 * has finished, in the order they were called (FIFO). Different keys never wait for each other.
 *
 * Each key holds only the promise of its last waiter; the entry is removed as soon as the last
 * holder of a key finishes, so finished keys leave nothing behind.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Run `fn` holding the lock on `key`; the lock is released however `fn` ends. */
  async run<T>(key: string, fn: () => Promise<T> | T): Promise<T> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#tails.set(key, mine);
    try {
      // `previous` never rejects: it is resolved by its holder's `finally`.
      if (previous) await previous;
      return await fn();
    } finally {
      if (this.#tails.get(key) === mine) this.#tails.delete(key);
      release();
    }
  }

  /** True while `key` is held or waited for. */
  isLocked(key: string): boolean {
    return this.#tails.has(key);
  }

  /** How many keys are held or waited for (0 when idle: nothing leaks). */
  get size(): number {
    return this.#tails.size;
  }
}
