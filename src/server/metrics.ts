/**
 * Prometheus metrics (`GET /metrics`): turns, their latency, decisions by outcome and reason, RMAs
 * issued, hand-overs, errors, plus the process's own metrics. One registry per server, so tests and
 * several servers in one process never mix their counts.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly turns = new Counter({ name: 'returnsbot_turns_total', help: 'Activities handled, by channel and result', labelNames: ['channel', 'result'] as const, registers: [this.registry] });
  readonly turnSeconds = new Histogram({
    name: 'returnsbot_turn_duration_seconds',
    help: 'Time to handle one activity, from request to response',
    labelNames: ['channel'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly decisions = new Counter({
    name: 'returnsbot_decisions_total',
    help: 'Decisions reached, by outcome and return reason',
    labelNames: ['outcome', 'reason', 'policy'] as const,
    registers: [this.registry],
  });
  readonly rmas = new Counter({ name: 'returnsbot_rmas_issued_total', help: 'RMA numbers given to customers (by the bot or by staff)', labelNames: ['policy'] as const, registers: [this.registry] });
  readonly handoffs = new Counter({ name: 'returnsbot_handoffs_total', help: 'Hand-overs to people, by status', labelNames: ['status'] as const, registers: [this.registry] });
  readonly errors = new Counter({ name: 'returnsbot_errors_total', help: 'Errors, by kind', labelNames: ['kind'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'returnsbot_' });
  }

  /** Count what a turn's replies carried (decisions, RMAs, hand-overs); `policy` labels an RMA whose reply carries no decision. */
  observeReplies(activities: readonly { channelData?: { returns?: Record<string, unknown> } }[], policy?: string): void {
    for (const a of activities) {
      const r = a.channelData?.returns;
      if (!r) continue;
      const decision = r.decision as { outcome?: string; reason?: string; policy?: string } | undefined;
      // The RMA message repeats the decision it was issued for; count each decision once.
      if (decision?.outcome && typeof r.rma !== 'string') this.decisions.inc({ outcome: decision.outcome, reason: decision.reason ?? 'unknown', policy: decision.policy ?? 'unknown' });
      if (typeof r.rma === 'string') this.rmas.inc({ policy: decision?.policy ?? policy ?? 'unknown' });
      if (typeof r.handoff === 'string') this.handoffs.inc({ status: r.handoff });
    }
  }
}
