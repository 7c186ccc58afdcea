/**
 * Benchmark `understand`: the latency of understanding and deciding one customer message, on one
 * core, call by call: `interpret` (dialogs/interpret.ts, the reading the conversation service runs
 * on every message: commands, choices, corrections and the answer to the question asked, through
 * the readers of src/nlu) followed by the policy engine's `decide` of one case. The messages are
 * what the benchmark's customers say (bench/scenarios.ts `answerFor`), each read at the step it
 * answers, with the scenario's order known; the cases are bench/decide.ts `mixedCases`.
 *
 * Baseline in the same run: a JSON round-trip of the same message as an activity (parse +
 * stringify), timed the same way (so the timer's own cost is in both). Reports p50, p99 and max.
 */
import type { ReturnsContext } from '../machines/types.js';
import { initialContext } from '../machines/returns.machine.js';
import { interpret, type View } from '../dialogs/interpret.js';
import { dateOrderOf } from '../src/nlu/index.js';
import { orderSchema } from '../src/orders.js';
import type { LocalDate } from '../src/policy/case.js';
import { decide } from '../src/policy/engine.js';
import { loadPack } from '../src/policy/packs.js';
import { SCENARIO_ORDERS } from '../test/support/server.js';
import { mixedCases } from './decide.js';
import { answerFor, SCENARIOS } from './scenarios.js';
import { percentile } from './stats.js';

const STATE_OF_STEP: Record<string, string> = { orderNumber: 'askOrderNumber', verify: 'askVerify', item: 'askItem', reason: 'askReason', remedy: 'askRemedy', confirm: 'askConfirm' };
const TODAY = '2026-12-30' as LocalDate;

interface Message {
  text: string;
  view: View;
}

/** Every message of every scenario, with the view of the conversation at the step it answers. */
export function scenarioMessages(): Message[] {
  const packs = { 'uk-online': loadPack('uk-online'), 'impress-us': loadPack('impress-us') } as const;
  const approved =
    mixedCases(200)
      .map((c) => decide(c, packs[c.policy as keyof typeof packs]))
      .find((d) => d.outcome === 'approved' && d.remedies.length > 1) ?? null;
  const out: Message[] = [];
  for (const s of SCENARIOS) {
    const order = orderSchema.parse(SCENARIO_ORDERS.find((o) => o.orderNumber === s.orderNumber));
    const base = initialContext({ conversationId: 'bench', defaultPolicy: order.policy, todayOverride: TODAY, now: Date.parse(`${TODAY}T12:00:00Z`) });
    const view = (state: string, step: string | null, context: ReturnsContext): View => ({
      state,
      step: step as View['step'],
      context,
      locale: s.locale ?? 'en-GB',
      today: TODAY,
      dateOrder: dateOrderOf(s.locale ?? 'en-GB'),
    });
    out.push({ text: s.opening, view: view('start', null, base) });
    out.push({ text: answerFor(s, 'orderNumber', undefined), view: view('askOrderNumber', 'orderNumber', base) });
    out.push({ text: answerFor(s, 'verify', undefined), view: view('askVerify', 'verify', { ...base, orderNumber: order.orderNumber }) });
    const known = { ...base, orderNumber: order.orderNumber, order };
    out.push({ text: answerFor(s, 'item', undefined), view: view('askItem', 'item', known) });
    out.push({ text: answerFor(s, 'reason', undefined), view: view('askReason', 'reason', { ...known, itemIndex: 0 }) });
    const reasoned = { ...known, itemIndex: 0, reason: 'change-of-mind' as const };
    for (const field of [...Object.keys(s.facts ?? {}), ...Object.keys(s.answers ?? {})]) {
      out.push({ text: answerFor(s, field, undefined), view: view(field === 'manufacturerPreauth' ? 'askPreauthNumber' : 'askFact', field, reasoned) });
    }
    const decided = { ...reasoned, decision: approved };
    if (s.remedy) out.push({ text: answerFor(s, 'remedy', undefined), view: view(STATE_OF_STEP.remedy!, 'remedy', decided) });
    out.push({ text: answerFor(s, 'confirm', undefined), view: view(STATE_OF_STEP.confirm!, 'confirm', decided) });
  }
  return out;
}

export interface LatencySpread {
  calls: number;
  p50: number;
  p99: number;
  max: number;
}

export interface UnderstandBenchResult {
  messages: number;
  /** interpret + decide, per message (ms). */
  understandAndDecide: LatencySpread;
  /** interpret alone and decide alone (ms), for where the time goes. */
  understand: LatencySpread;
  decide: LatencySpread;
  /** JSON round-trip of the message as an activity (ms). */
  baseline: LatencySpread;
}

function timed(seconds: number, body: (i: number) => unknown): LatencySpread {
  const samples: number[] = [];
  const end = performance.now() + seconds * 1000;
  let sink = 0;
  for (let i = 0; performance.now() < end; i++) {
    const t0 = performance.now();
    const out = body(i);
    samples.push(performance.now() - t0);
    if (out) sink++;
  }
  if (sink < 0) console.log(sink);
  const sorted = Float64Array.from(samples).sort();
  return { calls: samples.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

export function benchUnderstand(seconds = 2): UnderstandBenchResult {
  const messages = scenarioMessages();
  const packs = { 'uk-online': loadPack('uk-online'), 'impress-us': loadPack('impress-us') } as const;
  const cases = mixedCases(1000);
  const activities = messages.map((m) =>
    JSON.stringify({ type: 'message', id: 'a-1', channelId: 'directline', from: { id: 'user-1', role: 'user' }, conversation: { id: 'c-1' }, locale: m.view.locale, text: m.text }),
  );
  const one = (i: number) => {
    const m = messages[i % messages.length]!;
    const c = cases[i % cases.length]!;
    return [interpret(m.text, undefined, m.view), decide(c, packs[c.policy as keyof typeof packs])];
  };
  // Warm up every path (JIT, the lexicons, holiday tables).
  timed(0.5, one);
  timed(0.2, (i) => JSON.parse(activities[i % activities.length]!) as unknown);
  return {
    messages: messages.length,
    understandAndDecide: timed(seconds, one),
    understand: timed(seconds / 2, (i) => interpret(messages[i % messages.length]!.text, undefined, messages[i % messages.length]!.view)),
    decide: timed(seconds / 2, (i) => decide(cases[i % cases.length]!, packs[cases[i % cases.length]!.policy as keyof typeof packs])),
    baseline: timed(seconds, (i) => JSON.stringify(JSON.parse(activities[i % activities.length]!))),
  };
}
