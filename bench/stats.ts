/** Shared by the load generator and the benchmarks that read its results. */

/** What one load run measured (bench/load.ts prints it as one JSON line). */
export interface LoadResult {
  mode: 'steps' | 'replay' | 'probe';
  url: string;
  concurrency: number;
  warmupSeconds: number;
  /** The measured window (after the warm-up), in seconds. */
  seconds: number;
  /** Turns answered inside the measured window. */
  turns: number;
  turnsPerSecond: number;
  /** Whole conversations finished inside the measured window. */
  conversations: number;
  /** Latency of the turns answered inside the measured window, in milliseconds. */
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  /** Turns answered in the whole run (warm-up included). */
  totalTurns: number;
  /** Failures over the whole run (warm-up included): must be 0. */
  errors: number;
  errorSamples: string[];
  /** Ids of every conversation that finished as expected (warm-up included). */
  completedConversationIds: string[];
  /** Turns per finished conversation: mean and max. */
  turnsPerConversation: { mean: number; max: number };
  /** steps and probe modes: the customer's messages per scenario (for the replay against the baseline). */
  scripts?: Record<string, string[]>;
  /** steps and probe modes: scenarios whose conversations did not all say the same things. */
  scriptsVaried?: string[];
  /** Conversations that had to reuse an order already used (its RMA already issued). */
  ordersReused: number;
  /** CPU the load generator itself used in the measured window, in % of one core. */
  loadCpuPercent: number;
  /** `--protocol directline`: set, with the time of each conversation's setup (token → start → stream → greeting). */
  protocol?: 'directline';
  setupLatencyMs?: { p50: number; p95: number; p99: number; max: number; mean: number };
}

/** The p-th percentile (0–100) of ascending-sorted numbers (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(xs: readonly number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
}
