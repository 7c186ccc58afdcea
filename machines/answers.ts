/**
 * A question asked mid-way ("how long does the refund take?"), answered from the pack's own data
 * (`answerFor`), as message keys citing the clause the answer comes from (CONTRACT section 7). Pure.
 * The machine then asks its pending question again.
 */
import { answerFor, type Answer } from '../src/policy/answers.js';
import type { CompiledPack } from '../src/policy/engine.js';
import { REASONS } from '../src/policy/case.js';
import type { Command } from './commands.js';
import { remedyPart } from './explain.js';
import type { Param, Part, ReturnsContext } from './types.js';

const p = (key: string, params?: Part['params']): Part => (params ? { key, params } : { key });
const remedies = (list: readonly string[]): Param => ({ list: list.map(remedyPart), style: 'or' });

/** The parts of one answer (without the citation). */
function answerParts(a: Answer, ctx: ReturnsContext, currency: string): Part[] {
  if (!a.known) return [p('answer.unknown')];
  switch (a.topic) {
    case 'refundTime': {
      if (a.refundPossible === false) return [p('answer.refundTime.notThisReturn')];
      const days =
        a.withinDays === null
          ? p('answer.refundTime.noDays')
          : a.from
            ? p('answer.refundTime.daysFrom', { days: a.withinDays, from: { key: `answer.from.${a.from}` } })
            : p('answer.refundTime.days', { days: a.withinDays });
      return [days, ...(a.method === 'original-payment' ? [p('answer.refundTime.method')] : [])];
    }
    case 'returnPostage':
      return [p(`answer.returnPostage.${a.payer ?? 'unknown'}`), ...(a.ifNotFaulty === 'customer' ? [p('answer.returnPostage.ifNotFaulty')] : [])];
    case 'restockingFee': {
      if (a.applies === 'no') return [p('answer.restockingFee.no')];
      if (a.percent !== null) return [p(`answer.restockingFee.percent.${a.applies}`, { percent: a.percent })];
      if (a.amount !== null) return [p(`answer.restockingFee.amount.${a.applies}`, { amount: { money: a.amount, currency: a.currency ?? currency } })];
      return [p(`answer.restockingFee.staff.${a.applies}`)];
    }
    case 'nextSteps': {
      // Once the RMA is issued, choosing and getting it are done, and what we give is the remedy booked.
      const booked = ctx.rma !== null;
      const given = booked && ctx.remedy ? [ctx.remedy] : null;
      const steps = a.steps.filter((s) => !(booked && (s.step === 'choose-remedy' || s.step === 'rma')) && !(s.step === 'refund' && given && !given.includes('refund')));
      const line = (s: (typeof a.steps)[number]): Part => {
        if (s.step === 'choose-remedy') return p('answer.nextSteps.choose-remedy', { remedies: remedies(s.remedies) });
        if (s.step === 'remedy') return p('answer.nextSteps.remedy', { remedies: remedies(given ?? s.remedies) });
        return p(`answer.nextSteps.${s.step}`);
      };
      return [p('answer.nextSteps', { steps: { list: steps.map(line), style: 'lines' } })];
    }
    case 'rmaNumber':
      return [ctx.rma ? p('answer.rmaNumber.yours', { rma: ctx.rma }) : p('answer.rmaNumber.notYet')];
    case 'otherRemedy': {
      if (a.remedies.length === 0) return [p('answer.otherRemedy.none')];
      if (a.requested && a.requestedAllowed) return [p('answer.otherRemedy.yes', { remedy: remedyPart(a.requested) })];
      if (a.chosenBy === 'retailer') return [p('answer.otherRemedy.retailer', { remedies: remedies(a.remedies) })];
      return [p('answer.otherRemedy.choose', { remedies: remedies(a.remedies) })];
    }
    case 'whereToSend':
      return [a.address ? p('answer.whereToSend.address', { address: a.address }) : p(`answer.whereToSend.${a.arrangement}`)];
    case 'cancelReturn':
      return [p(a.allowed ? 'answer.cancelReturn.yes' : 'answer.cancelReturn.no')];
  }
}

/** The answer to a question mid-way, with the clauses it comes from. */
export function askAnswerParts(pack: CompiledPack, topic: string, ctx: ReturnsContext, commands: readonly Command[]): Part[] {
  const asked = commands.find((c) => c.type === 'SetSlot' && c.slot === 'remedy');
  const remedy = asked && asked.type === 'SetSlot' && asked.slot === 'remedy' ? asked.value : null;
  const a = answerFor(pack, topic, { reason: ctx.reason, decision: ctx.decision, remedy });
  if (!a.known && ctx.reason === null && ctx.decision === null && BY_REASON.has(topic)) {
    // Asked before the reason is known ("how long do refunds take?" at the order number): the
    // answer for each reason the pack answers for, rather than "I don't know".
    const per = REASONS.map((reason) => [reason, answerFor(pack, topic, { reason, decision: null, remedy })] as const).filter(([, x]) => x.known);
    if (per.length) {
      const parts = [p('answer.byReason'), ...per.flatMap(([reason, x]) => [p(`answer.forReason.${reason}`), ...answerParts(x, ctx, ctx.order?.currency ?? pack.pack.currency)])];
      return withClauses(parts, [...new Set(per.flatMap(([, x]) => (x.known ? x.clauses : [])))]);
    }
  }
  return withClauses(answerParts(a, ctx, ctx.order?.currency ?? pack.pack.currency), a.known ? a.clauses : []);
}

/** Topics whose answer depends on the return's reason. */
const BY_REASON: ReadonlySet<string> = new Set(['refundTime', 'returnPostage']);

function withClauses(parts: Part[], clauses: readonly string[]): Part[] {
  if (clauses.length) parts.push(p('answer.clauses', { clauses: { list: clauses.map((c) => p('answer.clause', { id: c })), style: 'and' } }));
  return parts;
}
