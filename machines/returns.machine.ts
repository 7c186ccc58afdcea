/**
 * The returns conversation as one XState machine.
 *
 * States name what the bot waits for (tag `waiting`): the order number, proof that the order is the
 * customer's, the item, the reason, each fact the policy still needs, the remedy, the confirmation.
 * Deciding is pure (`decide` from the policy core). I/O is done by actors the composition root
 * provides: `verifyOrder` (look up an order and check the email or postcode on it), `issueRma`,
 * `requestHandoff`. The machine emits replies as message keys with parameters, never text.
 *
 * From any step the customer can ask for a person (HUMAN), cancel, start again, or correct the
 * delivery date, the item or the reason; a correction re-decides.
 */
import { and, assign, emit, enqueueActions, fromPromise, raise, setup } from 'xstate';
import { BOOLEAN_CONDITION_FIELDS, FAULT_CAUSES, type ConditionField, type ReturnReason } from '../src/policy/case.js';
import type { Decision } from '../src/policy/decision.js';
import { decide, openAlternatives, type CompiledPack } from '../src/policy/engine.js';
import type { Remedy } from '../src/policy/pack.js';
import type { Order, OrderItem } from '../src/orders.js';
import { buildCase, selectedItem, todayFor } from './case.js';
import { explainDecision, nextSteps, remedyPart } from './explain.js';
import { RESUMABLE_STATES, type Choice, type Part, type Reply, type ReturnsContext, type ReturnsEvent, type ReturnsInput, type ReturnsData, type Step, type UserEvent } from './types.js';
import type { VerifyRequest, VerifyResult } from './commands.js';

export interface MachineDeps {
  /** The compiled pack for a policy id (the shipped packs, or a merchant's). */
  pack: (id: string) => CompiledPack;
}

/** What the `verifyOrder` actor is given (the port of machines/commands.ts). */
export type VerifyInput = VerifyRequest;
/** What it answers. */
export type VerifyOutput = VerifyResult<Order>;
export interface IssueRmaInput {
  conversationId: string;
  order: Order;
  item: OrderItem;
  reason: ReturnReason;
  remedy: Remedy | null;
  decision: Decision;
}
export interface HandoffInput {
  conversationId: string;
  reason: 'asked' | 'referred' | 'not-understood' | 'disputed' | 'verification';
  /** What the support person sees first: the order, the item, the reason, the facts, the decision. */
  summary: HandoffSummary;
}

export interface HandoffSummary {
  orderNumber: string | null;
  verified: boolean;
  item: { sku: string; name: string; category: string } | null;
  reason: ReturnReason | null;
  facts: ReturnsContext['facts'];
  deliveredOn: string | null;
  decision: Decision | null;
  rma: string | null;
}

/** What the support team's queue answers when a hand-over is requested. */
export interface HandoffTicket {
  /** Place in the queue (1 = next), when known. */
  position: number | null;
  /** Expected wait in minutes, when known. */
  waitMinutes: number | null;
  /** False outside the team's opening hours. */
  open: boolean;
  /** The team's opening hours, as configured (shown to the customer). */
  hours: string | null;
}

/** The hand-over summary of a conversation. Pure. */
export function handoffSummary(ctx: ReturnsContext): HandoffSummary {
  const item = selectedItem(ctx);
  return {
    orderNumber: ctx.order?.orderNumber ?? ctx.orderNumber,
    verified: ctx.order !== null,
    item: item ? { sku: item.sku, name: item.name, category: item.category } : null,
    reason: ctx.reason,
    facts: ctx.facts,
    deliveredOn: ctx.deliveredOn ?? ctx.order?.deliveredOn ?? null,
    decision: ctx.decision,
    rma: ctx.rma,
  };
}

function queuedParts(t: HandoffTicket): Part[] {
  if (!t.open) return [part('handoff.queued.closed', { hours: t.hours ?? '' })];
  if (t.position && t.waitMinutes) return [part('handoff.queued.wait', { position: t.position, wait: t.waitMinutes })];
  if (t.position) return [part('handoff.queued.position', { position: t.position })];
  return [part('handoff.queued')];
}

const REASON_ORDER: readonly ReturnReason[] = ['faulty', 'change-of-mind', 'misdescribed', 'transit-damage'];
const MAX_VERIFY_ATTEMPTS = 3;

const notProvided = (name: string) => () => Promise.reject(new Error(`actor ${name} is not provided`));

function part(key: string, params?: Part['params']): Part {
  return params ? { key, params } : { key };
}

function reply(parts: Part[], extra: Partial<Omit<Reply, 'type' | 'parts'>> = {}): Reply {
  return { type: 'reply', parts, ...extra };
}

const yesNo = (yes: Part = part('choice.yes'), no: Part = part('choice.no')): Choice[] => [
  { label: yes, event: { type: 'YES' } },
  { label: no, event: { type: 'NO' } },
];
const personChoice: Choice = { label: part('choice.person'), event: { type: 'HUMAN' } };
const restartChoice: Choice = { label: part('choice.restart'), event: { type: 'RESTART' } };

/** The question for a condition field; some read better per product category. */
function factQuestion(field: ConditionField, item: OrderItem | null): Part {
  const params = { item: item?.name ?? '' };
  if (field === 'sealBroken' && item?.category === 'headphones') return part('ask.sealBroken.headphones', params);
  return part(`ask.${field}`, params);
}

function factChoices(field: ConditionField): Choice[] {
  if (field === 'faultCause') {
    return FAULT_CAUSES.map((cause) => ({ label: part(`faultCause.${cause}`), event: { type: 'ANSWER', field, value: cause } }));
  }
  if (field === 'manufacturerPreauth') {
    return [
      { label: part('choice.preauth.have'), event: { type: 'HAS_PREAUTH' } },
      { label: part('choice.preauth.none'), event: { type: 'ANSWER', field, value: 'none' } },
    ];
  }
  return [
    { label: part('choice.yes'), event: { type: 'ANSWER', field, value: true } },
    { label: part('choice.no'), event: { type: 'ANSWER', field, value: false } },
    { label: part('choice.dontKnow'), event: { type: 'DONT_KNOW' } },
  ];
}

function validAnswer(field: ConditionField, value: boolean | string): boolean {
  if ((BOOLEAN_CONDITION_FIELDS as readonly string[]).includes(field)) return typeof value === 'boolean';
  if (field === 'faultCause') return typeof value === 'string' && (FAULT_CAUSES as readonly string[]).includes(value);
  return typeof value === 'string' && value.trim().length > 0 && value.length <= 64;
}

/** The facts, reason and decision about one item, cleared when the item changes. */
const clearedItem = {
  facts: {},
  unavailable: [],
  decision: null,
  remedy: null,
  rma: null,
} satisfies Partial<ReturnsContext>;

export function createReturnsMachine(deps: MachineDeps) {
  const packOf = (ctx: ReturnsContext) => deps.pack(ctx.order?.policy ?? ctx.defaultPolicy);

  const decideNow = (ctx: ReturnsContext): Decision | null => {
    const pack = packOf(ctx);
    const c = buildCase(ctx, pack);
    return c ? decide(c, pack, { unavailable: ctx.unavailable }) : null;
  };

  /** A question: remembers its choices, and offers a person after the second misunderstanding. */
  const ask = (ctx: ReturnsContext, step: Step, parts: Part[], choices: Choice[]) => {
    const lost = ctx.misunderstood.step === step && ctx.misunderstood.count >= 2;
    const offered = lost && !choices.some((c) => c.event.type === 'HUMAN') ? [...choices, personChoice] : choices;
    const all = lost ? [...parts, part('ask.offerPerson')] : parts;
    return { choices: offered, reply: reply(all, { step, choices: offered }) };
  };

  return setup({
    types: {
      context: {} as ReturnsContext,
      events: {} as ReturnsEvent,
      input: {} as ReturnsInput,
      emitted: {} as Reply,
      tags: {} as 'waiting' | 'handoff',
    },
    actors: {
      verifyOrder: fromPromise<VerifyOutput, VerifyInput>(notProvided('verifyOrder')),
      issueRma: fromPromise<{ rma: string }, IssueRmaInput>(notProvided('issueRma')),
      requestHandoff: fromPromise<HandoffTicket, HandoffInput>(notProvided('requestHandoff')),
    },
    guards: {
      openingHasOrderNumber: ({ event }) => event.type === 'OPENING' && Boolean(event.orderNumber),
      orderVerified: ({ context }) => context.order !== null,
      singleItem: ({ context }) => context.order?.items.length === 1,
      validItem: ({ context, event }) =>
        (event.type === 'ITEM' || event.type === 'CORRECT_ITEM') && Number.isInteger(event.index) && event.index >= 0 && event.index < (context.order?.items.length ?? 0),
      hasReason: ({ context }) => context.reason !== null,
      itemChosen: ({ context }) => context.itemIndex !== null,
      hasItemAndReason: ({ context }) => context.order !== null && context.itemIndex !== null && context.reason !== null,
      canCorrect: ({ context }) => context.order !== null && context.rma === null,
      validDelivery: ({ context, event }) => {
        if (event.type !== 'CORRECT_DELIVERY' || !context.order || context.rma !== null) return false;
        const latest = todayFor(context, packOf(context).pack.timeZone);
        return event.date >= context.order.placedOn && event.date <= latest;
      },
      noDecision: ({ context }) => context.decision === null,
      isIncomplete: ({ context }) => context.decision?.outcome === 'incomplete',
      isApproved: ({ context }) => context.decision?.outcome === 'approved',
      customerChoosesRemedy: ({ context }) =>
        context.decision?.outcome === 'approved' && context.decision.remedyChosenBy === 'customer' && context.decision.remedies.length > 1,
      isRejected: ({ context }) => context.decision?.outcome === 'rejected',
      answersNeededFact: ({ context, event }) =>
        event.type === 'ANSWER' && Boolean(context.decision?.needs.includes(event.field)) && validAnswer(event.field, event.value),
      offeredRemedy: ({ context, event }) => event.type === 'REMEDY' && Boolean(context.decision?.remedies.includes(event.remedy)),
      openAlternative: ({ context, event }) => {
        if (event.type !== 'REASON' || event.reason === context.reason || !context.order) return false;
        const pack = packOf(context);
        const c = buildCase(context, pack);
        return c !== null && openAlternatives(c, pack).includes(event.reason);
      },
      severalItems: ({ context }) => (context.order?.items.length ?? 0) > 1,
      rmaIssued: ({ context }) => context.rma !== null,
    },
    actions: {
      notUnderstood: enqueueActions(({ context, enqueue }, params: { step: Step }) => {
        const count = context.misunderstood.step === params.step ? context.misunderstood.count + 1 : 1;
        enqueue.assign({ misunderstood: { step: params.step, count } });
        enqueue.emit(reply([part(count >= 2 ? 'sorry.stillNotUnderstood' : 'sorry.notUnderstood')]));
      }),
      askOrderNumber: enqueueActions(({ context, enqueue }) => {
        const q = ask(context, 'orderNumber', [part('ask.orderNumber')], []);
        enqueue.assign({ choices: q.choices });
        enqueue.emit(q.reply);
      }),
      askVerify: enqueueActions(({ context, enqueue }) => {
        const q = ask(context, 'verify', [part('ask.verify', { orderNumber: context.orderNumber ?? '' })], []);
        enqueue.assign({ choices: q.choices });
        enqueue.emit(q.reply);
      }),
      askItem: enqueueActions(({ context, enqueue }) => {
        const items = context.order?.items ?? [];
        const choices: Choice[] = items.map((item, index) => ({ label: part('choice.item', { name: item.name }), event: { type: 'ITEM', index } }));
        const list = { list: items.map((item) => part('list.item', { name: item.name })), style: 'numbered' as const };
        const q = ask(context, 'item', [part('ask.item', { items: list })], choices);
        enqueue.assign({ choices: q.choices });
        enqueue.emit(q.reply);
      }),
      askReason: enqueueActions(({ context, enqueue }) => {
        const choices: Choice[] = REASON_ORDER.map((reason) => ({ label: part(`choice.reason.${reason}`), event: { type: 'REASON', reason } }));
        const q = ask(context, 'reason', [part('ask.reason', { item: selectedItem(context)?.name ?? '' })], choices);
        enqueue.assign({ choices: q.choices });
        enqueue.emit(q.reply);
      }),
      askFact: enqueueActions(({ context, enqueue }) => {
        const field = context.decision?.needs[0];
        if (!field) return;
        const q = ask(context, field, [factQuestion(field, selectedItem(context))], factChoices(field));
        enqueue.assign({ choices: q.choices });
        enqueue.emit(q.reply);
      }),
      askPreauthNumber: enqueueActions(({ context, enqueue }) => {
        const choices: Choice[] = [{ label: part('choice.preauth.none'), event: { type: 'ANSWER', field: 'manufacturerPreauth', value: 'none' } }];
        const q = ask(context, 'manufacturerPreauth', [part('ask.manufacturerPreauth.number')], choices);
        enqueue.assign({ choices: q.choices });
        enqueue.emit(q.reply);
      }),
      askRemedy: enqueueActions(({ context, enqueue }) => {
        const remedies = context.decision?.remedies ?? [];
        const choices: Choice[] = remedies.map((remedy) => ({ label: part(`choice.remedy.${remedy}`), event: { type: 'REMEDY', remedy } }));
        const q = ask(context, 'remedy', [part('ask.remedy', { remedies: { list: remedies.map(remedyPart), style: 'or' } })], choices);
        enqueue.assign({ choices: q.choices });
        enqueue.emit(q.reply);
      }),
      askConfirm: enqueueActions(({ context, enqueue }) => {
        const remedy = context.remedy;
        const parts = [remedy ? part('ask.confirm.remedy', { remedy: remedyPart(remedy), item: selectedItem(context)?.name ?? '' }) : part('ask.confirm', { item: selectedItem(context)?.name ?? '' })];
        const q = ask(context, 'confirm', parts, yesNo(part('choice.confirm.yes'), part('choice.confirm.no')));
        enqueue.assign({ choices: q.choices });
        enqueue.emit(q.reply);
      }),
      sayDecision: emit(({ context }) => {
        const d = context.decision!;
        const item = selectedItem(context)!;
        return reply(explainDecision(d, context.order!, item), { returns: { outcome: d.outcome, decision: d } });
      }),
      offerAfterRejection: enqueueActions(({ context, enqueue }) => {
        const pack = packOf(context);
        const c = buildCase(context, pack);
        const open = c ? openAlternatives(c, pack) : [];
        const choices: Choice[] = [];
        // A change-of-mind refusal that mentions a fault offers the fault route first.
        const routes = context.mentionsFault && open.includes('faulty') ? ['faulty' as const] : [];
        for (const reason of open.filter((r) => r === 'faulty' || r === 'misdescribed')) if (!routes.includes(reason as 'faulty')) routes.push(reason as 'faulty');
        for (const reason of routes) choices.push({ label: part(`choice.route.${reason}`), event: { type: 'REASON', reason } });
        choices.push(personChoice, restartChoice);
        const parts = [part(context.mentionsFault && open.includes('faulty') ? 'rejected.faultRoute' : routes.length ? 'rejected.alternatives' : 'rejected.next')];
        enqueue.assign({ choices });
        enqueue.emit(reply(parts, { choices }));
      }),
      askReferral: enqueueActions(({ context, enqueue }) => {
        const q = ask(context, 'confirm', [part('referred.offer')], yesNo(part('choice.referral.yes'), part('choice.referral.no')));
        enqueue.assign({ choices: q.choices });
        enqueue.emit(q.reply);
      }),
      sayRma: emit(({ context }) => {
        const d = context.decision!;
        const item = selectedItem(context)!;
        const parts = [part('rma.issued', { rma: context.rma!, item: item.name }), ...nextSteps(d, context.order!, context.remedy)];
        const more = (context.order?.items.length ?? 0) > 1;
        const choices: Choice[] = more ? [{ label: part('choice.anotherItem'), event: { type: 'ANOTHER_ITEM' } }, { label: part('choice.done'), event: { type: 'NO' } }] : [];
        return reply(parts, { returns: { rma: context.rma!, outcome: d.outcome, decision: d }, ...(choices.length ? { choices } : {}) });
      }),
      resetConversation: assign(({ context }) => ({
        ...initialContext({ conversationId: context.conversationId, defaultPolicy: context.defaultPolicy, todayOverride: context.todayOverride, now: context.now }),
      })),
      decide: assign(({ context }) => ({ decision: decideNow(context), misunderstood: { step: null, count: 0 } })),
      released: enqueueActions(({ enqueue }) => {
        enqueue.assign({ handoff: null, verifyAttempts: 0, misunderstood: { step: null, count: 0 } });
        enqueue.emit(reply([part('handoff.released')], { returns: { handoff: 'released' } }));
      }),
    },
  }).createMachine({
    id: 'returns',
    initial: 'start',
    context: ({ input }) => initialContext(input),
    on: {
      CLOCK: { actions: assign({ now: ({ event }) => event.now }) },
      HUMAN: { target: '.handoff' },
      CANCEL: [
        // An RMA already issued stays booked: say so rather than "nothing has been booked".
        { guard: 'rmaIssued', target: '.ended', actions: emit(({ context }) => reply([part('cancelled.rmaKept', { rma: context.rma ?? '' })])) },
        { target: '.ended', actions: emit(reply([part('cancelled')])) },
      ],
      RESTART: { target: '.askOrderNumber', actions: ['resetConversation', emit(reply([part('restart')]))] },
      HELP: { actions: [emit(reply([part('help')])), raise({ type: 'REASK' })] },
      ATTACHMENT: { actions: [emit(({ event }) => reply([part('attachment.received', { count: event.count })])), raise({ type: 'REASK' })] },
      CORRECT_DELIVERY: [
        {
          guard: 'validDelivery',
          target: '.afterItem',
          actions: [assign({ deliveredOn: ({ event }) => event.date, decision: null, remedy: null }), emit(({ event }) => reply([part('corrected.deliveredOn', { date: { date: event.date } })]))],
        },
        { guard: 'canCorrect', actions: [emit(reply([part('corrected.deliveredOnRefused')])), raise({ type: 'REASK' })] },
      ],
      CORRECT_ITEM: {
        guard: and(['validItem', 'canCorrect']),
        target: '.afterItem',
        actions: [
          assign(({ event }) => ({ ...clearedItem, itemIndex: (event as { index: number }).index })),
          emit(({ context, event }) => reply([part('corrected.item', { item: context.order!.items[(event as { index: number }).index]?.name ?? '' })])),
        ],
      },
      CORRECT_REASON: {
        guard: 'canCorrect',
        target: '.afterItem',
        actions: [assign({ reason: ({ event }) => event.reason, decision: null, remedy: null }), emit(({ event }) => reply([part('corrected.reason', { reason: { key: `reasonName.${event.reason}` } })]))],
      },
    },
    states: {
      start: {
        tags: ['waiting'],
        on: {
          OPENING: [
            {
              guard: 'openingHasOrderNumber',
              target: 'askVerify',
              actions: [assign(({ event }) => openingFacts(event)), emit(({ event }) => reply(greeting(event)))],
            },
            { target: 'askOrderNumber', actions: [assign(({ event }) => openingFacts(event)), emit(({ event }) => reply(greeting(event)))] },
          ],
          ORDER_NUMBER: { target: 'askVerify', actions: [assign({ orderNumber: ({ event }) => event.orderNumber }), emit(reply([part('greeting')]))] },
          NOT_UNDERSTOOD: { target: 'askOrderNumber', actions: emit(reply([part('greeting')])) },
        },
      },
      askOrderNumber: {
        tags: ['waiting'],
        entry: [assign({ at: 'askOrderNumber' as const }), 'askOrderNumber'],
        on: {
          REASK: { target: 'askOrderNumber', reenter: true },
          ORDER_NUMBER: { target: 'askVerify', actions: assign({ orderNumber: ({ event }) => event.orderNumber }) },
          OPENING: [
            { guard: 'openingHasOrderNumber', target: 'askVerify', actions: assign(({ event }) => openingFacts(event)) },
            { target: 'askOrderNumber', reenter: true, actions: assign(({ event }) => openingFacts(event)) },
          ],
          NOT_UNDERSTOOD: { target: 'askOrderNumber', reenter: true, actions: { type: 'notUnderstood', params: { step: 'orderNumber' } } },
        },
      },
      askVerify: {
        tags: ['waiting'],
        entry: [assign({ at: 'askVerify' as const }), 'askVerify'],
        on: {
          REASK: { target: 'askVerify', reenter: true },
          VERIFY: { target: 'verifying' },
          ORDER_NUMBER: { target: 'askVerify', reenter: true, actions: assign({ orderNumber: ({ event }) => event.orderNumber }) },
          NOT_UNDERSTOOD: { target: 'askVerify', reenter: true, actions: { type: 'notUnderstood', params: { step: 'verify' } } },
        },
      },
      verifying: {
        invoke: {
          id: 'verifyOrder',
          src: 'verifyOrder',
          input: ({ context, event }) => ({
            conversationId: context.conversationId,
            orderNumber: context.orderNumber ?? '',
            candidates: event.type === 'VERIFY' ? event.candidates : [],
          }),
          onDone: [
            {
              guard: ({ event }) => event.output.status === 'verified',
              target: 'routeAfterVerify',
              actions: [
                assign(({ event }) => {
                  const order = event.output.status === 'verified' ? event.output.order : null;
                  return { order, orderNumber: order?.orderNumber ?? null, verifyAttempts: 0 };
                }),
                emit(reply([part('verified')])),
              ],
            },
            {
              // Too many failed proofs (of this order, anywhere, or in this conversation): said kindly, with a person offered.
              guard: ({ event }) => event.output.status === 'locked',
              target: 'verifyFailed',
              actions: [
                assign({ verifyAttempts: ({ context }) => context.verifyAttempts + 1 }),
                emit(({ context, event }) => {
                  const until = event.output.status === 'locked' ? Date.parse(event.output.until) : context.now;
                  return reply([part('verify.locked', { minutes: Math.max(1, Math.ceil((until - context.now) / 60_000)) })]);
                }),
              ],
            },
            {
              // The third failure here, or none left for the order: a person can help.
              guard: ({ context, event }) => context.verifyAttempts + 1 >= MAX_VERIFY_ATTEMPTS || ('attemptsLeft' in event.output && event.output.attemptsLeft <= 0),
              target: 'verifyFailed',
              actions: assign({ verifyAttempts: ({ context }) => context.verifyAttempts + 1 }),
            },
            {
              // No candidate, or several in one message: ask for exactly one.
              guard: ({ event }) => event.output.status === 'ambiguous',
              target: 'askVerify',
              actions: [assign({ verifyAttempts: ({ context }) => context.verifyAttempts + 1 }), emit(reply([part('verify.oneProof')]))],
            },
            {
              target: 'askVerify',
              actions: [assign({ verifyAttempts: ({ context }) => context.verifyAttempts + 1 }), emit(reply([part('verify.noMatch')]))],
            },
          ],
          onError: { target: 'askVerify', actions: emit(reply([part('error.temporary')])) },
        },
      },
      verifyFailed: {
        tags: ['waiting'],
        entry: [assign({ at: 'verifyFailed' as const }), enqueueActions(({ enqueue }) => {
          const choices = [personChoice, restartChoice];
          enqueue.assign({ choices });
          enqueue.emit(reply([part('verify.failed')], { choices }));
        })],
        on: {
          REASK: { target: 'verifyFailed', reenter: true },
          YES: { target: 'handoff' },
          NO: { target: 'ended', actions: emit(reply([part('goodbye')])) },
          NOT_UNDERSTOOD: { target: 'verifyFailed', reenter: true },
        },
      },
      routeAfterVerify: {
        always: [
          { guard: 'singleItem', target: 'afterItem', actions: assign({ itemIndex: 0 }) },
          { target: 'askItem' },
        ],
      },
      askItem: {
        tags: ['waiting'],
        entry: [assign({ at: 'askItem' as const }), 'askItem'],
        on: {
          REASK: { target: 'askItem', reenter: true },
          ITEM: { guard: 'validItem', target: 'afterItem', actions: assign(({ event }) => ({ ...clearedItem, itemIndex: event.index })) },
          NOT_UNDERSTOOD: { target: 'askItem', reenter: true, actions: { type: 'notUnderstood', params: { step: 'item' } } },
        },
      },
      afterItem: {
        always: [
          { guard: 'hasItemAndReason', target: 'deciding' },
          { guard: and(['orderVerified', 'itemChosen']), target: 'askReason' },
          { guard: 'orderVerified', target: 'routeAfterVerify' },
          { target: 'askOrderNumber' },
        ],
      },
      askReason: {
        tags: ['waiting'],
        entry: [assign({ at: 'askReason' as const }), 'askReason'],
        on: {
          REASK: { target: 'askReason', reenter: true },
          REASON: {
            target: 'deciding',
            actions: assign(({ context, event }) => ({
              reason: event.reason,
              mentionsFault: Boolean(event.mentionsFault),
              facts: event.faultCause && event.reason === 'faulty' ? { ...context.facts, faultCause: event.faultCause } : context.facts,
            })),
          },
          NOT_UNDERSTOOD: { target: 'askReason', reenter: true, actions: { type: 'notUnderstood', params: { step: 'reason' } } },
        },
      },
      deciding: {
        entry: 'decide',
        always: [
          { guard: 'noDecision', target: 'ended', actions: emit(reply([part('error.temporary')])) },
          { guard: 'isIncomplete', target: 'askFact' },
          { guard: 'customerChoosesRemedy', target: 'askRemedy', actions: 'sayDecision' },
          { guard: 'isApproved', target: 'askConfirm', actions: ['sayDecision', assign({ remedy: ({ context }) => (context.decision!.remedies.length === 1 ? context.decision!.remedies[0]! : null) })] },
          { guard: 'isRejected', target: 'rejected', actions: 'sayDecision' },
          { target: 'referred', actions: 'sayDecision' },
        ],
      },
      askFact: {
        tags: ['waiting'],
        entry: [assign({ at: 'askFact' as const }), 'askFact'],
        on: {
          REASK: { target: 'askFact', reenter: true },
          ANSWER: {
            guard: 'answersNeededFact',
            target: 'deciding',
            actions: assign({ facts: ({ context, event }) => ({ ...context.facts, [event.field]: event.value }) }),
          },
          HAS_PREAUTH: { target: 'askPreauthNumber' },
          DONT_KNOW: {
            target: 'deciding',
            actions: assign({
              unavailable: ({ context }) => {
                const field = context.decision?.needs[0];
                return field && !context.unavailable.includes(field) ? [...context.unavailable, field] : context.unavailable;
              },
            }),
          },
          NOT_UNDERSTOOD: {
            target: 'askFact',
            reenter: true,
            actions: { type: 'notUnderstood', params: ({ context }) => ({ step: context.decision?.needs[0] ?? 'reason' }) },
          },
        },
      },
      askPreauthNumber: {
        tags: ['waiting'],
        entry: [assign({ at: 'askPreauthNumber' as const }), 'askPreauthNumber'],
        on: {
          REASK: { target: 'askPreauthNumber', reenter: true },
          ANSWER: { guard: 'answersNeededFact', target: 'deciding', actions: assign({ facts: ({ context, event }) => ({ ...context.facts, [event.field]: event.value }) }) },
          DONT_KNOW: { target: 'deciding', actions: assign({ facts: ({ context }) => ({ ...context.facts, manufacturerPreauth: 'none' }) }) },
          NOT_UNDERSTOOD: { target: 'askPreauthNumber', reenter: true, actions: { type: 'notUnderstood', params: { step: 'manufacturerPreauth' } } },
        },
      },
      askRemedy: {
        tags: ['waiting'],
        entry: [assign({ at: 'askRemedy' as const }), 'askRemedy'],
        on: {
          REASK: { target: 'askRemedy', reenter: true },
          REMEDY: { guard: 'offeredRemedy', target: 'askConfirm', actions: assign({ remedy: ({ event }) => event.remedy }) },
          NOT_UNDERSTOOD: { target: 'askRemedy', reenter: true, actions: { type: 'notUnderstood', params: { step: 'remedy' } } },
        },
      },
      askConfirm: {
        tags: ['waiting'],
        entry: [assign({ at: 'askConfirm' as const }), 'askConfirm'],
        on: {
          REASK: { target: 'askConfirm', reenter: true },
          YES: { target: 'issuing' },
          NO: { target: 'declined' },
          REMEDY: { guard: 'offeredRemedy', target: 'askConfirm', reenter: true, actions: assign({ remedy: ({ event }) => event.remedy }) },
          NOT_UNDERSTOOD: { target: 'askConfirm', reenter: true, actions: { type: 'notUnderstood', params: { step: 'confirm' } } },
        },
      },
      issuing: {
        invoke: {
          id: 'issueRma',
          src: 'issueRma',
          input: ({ context }) => ({
            conversationId: context.conversationId,
            order: context.order!,
            item: selectedItem(context)!,
            reason: context.reason!,
            remedy: context.remedy,
            decision: context.decision!,
          }),
          onDone: { target: 'done', actions: [assign({ rma: ({ event }) => event.output.rma }), 'sayRma'] },
          onError: { target: 'askConfirm', actions: emit(reply([part('error.temporary')])) },
        },
      },
      done: {
        tags: ['waiting'],
        entry: [assign({ at: 'done' as const }), assign(({ context }) => ({
          choices: (context.order?.items.length ?? 0) > 1
            ? [{ label: part('choice.anotherItem'), event: { type: 'ANOTHER_ITEM' } }, { label: part('choice.done'), event: { type: 'NO' } }] satisfies Choice[]
            : [],
        }))],
        on: {
          REASK: { target: 'done', reenter: true },
          ANOTHER_ITEM: [
            { guard: 'severalItems', target: 'askItem', actions: assign({ ...clearedItem, itemIndex: null, reason: null, mentionsFault: false, deliveredOn: null }) },
            { target: 'done', actions: emit(reply([part('done.onlyItem')])) },
          ],
          YES: [
            { guard: 'severalItems', target: 'askItem', actions: assign({ ...clearedItem, itemIndex: null, reason: null, mentionsFault: false, deliveredOn: null }) },
            { target: 'done', actions: emit(({ context }) => reply([part('done.again', { rma: context.rma ?? '' })])) },
          ],
          NO: { target: 'ended', actions: emit(reply([part('goodbye')])) },
          NOT_UNDERSTOOD: { actions: emit(({ context }) => reply([part('done.again', { rma: context.rma ?? '' })], { choices: context.choices })) },
        },
      },
      declined: {
        tags: ['waiting'],
        entry: [assign({ at: 'declined' as const }), enqueueActions(({ enqueue }) => {
          const choices: Choice[] = [{ label: part('choice.bookAfterAll'), event: { type: 'YES' } }, personChoice, restartChoice];
          enqueue.assign({ choices });
          enqueue.emit(reply([part('declined')], { choices }));
        })],
        on: {
          REASK: { target: 'declined', reenter: true },
          YES: { target: 'issuing' },
          NO: { target: 'ended', actions: emit(reply([part('goodbye')])) },
          NOT_UNDERSTOOD: { target: 'declined', reenter: true },
        },
      },
      rejected: {
        tags: ['waiting'],
        entry: [assign({ at: 'rejected' as const }), 'offerAfterRejection'],
        on: {
          REASK: { target: 'rejected', reenter: true },
          REASON: [
            {
              guard: 'openAlternative',
              target: 'deciding',
              actions: assign(({ event }) => ({ reason: event.reason, remedy: null, decision: null, mentionsFault: false })),
            },
            { target: 'rejected', reenter: true, actions: emit(reply([part('rejected.sameAnswer')])) },
          ],
          NO: { target: 'ended', actions: emit(reply([part('goodbye')])) },
          NOT_UNDERSTOOD: { target: 'rejected', reenter: true },
        },
      },
      referred: {
        tags: ['waiting'],
        entry: [assign({ at: 'referred' as const }), 'askReferral'],
        on: {
          REASK: { target: 'referred', reenter: true },
          YES: { target: 'handoff' },
          NO: { target: 'ended', actions: emit(reply([part('referred.declined')])) },
          NOT_UNDERSTOOD: { target: 'referred', reenter: true, actions: { type: 'notUnderstood', params: { step: 'confirm' } } },
        },
      },
      handoff: {
        initial: 'requesting',
        tags: ['handoff'],
        on: {
          HUMAN: {},
          HELP: {},
          REASK: {},
          ATTACHMENT: {},
          CORRECT_DELIVERY: {},
          CORRECT_ITEM: {},
          CORRECT_REASON: {},
        },
        states: {
          requesting: {
            invoke: {
              id: 'requestHandoff',
              src: 'requestHandoff',
              input: ({ context }) => ({ conversationId: context.conversationId, reason: handoffReason(context), summary: handoffSummary(context) }),
              onDone: {
                target: 'queued',
                actions: [
                  assign(({ event }) => ({ handoff: { status: 'queued' as const, agent: null, position: event.output.position } })),
                  emit(({ event }) => reply(queuedParts(event.output), { returns: { handoff: 'queued', position: event.output.position } })),
                ],
              },
              onError: { target: '#returns.ended', actions: emit(reply([part('handoff.unavailable')])) },
            },
          },
          queued: {
            tags: ['waiting'],
            on: {
              CUSTOMER_MESSAGE: {},
              AGENT_TOOK: { target: 'active', actions: [assign(({ event }) => ({ handoff: { status: 'active' as const, agent: event.agent, position: null } })), emit(({ event }) => reply([part('handoff.taken', { agent: event.agent })], { returns: { handoff: 'active' } }))] },
              CANCEL: { target: '#returns.ended', actions: [assign({ handoff: null }), emit(reply([part('handoff.left')]))] },
            },
          },
          active: {
            tags: ['waiting'],
            on: {
              CUSTOMER_MESSAGE: {},
              STAFF_RMA: { actions: [assign(({ event }) => ({ rma: event.rma, remedy: event.remedy })), emit(({ event }) => reply([part('rma.issuedByStaff', { rma: event.rma, agent: event.agent })], { returns: { rma: event.rma } }))] },
              AGENT_RELEASED: [
                { guard: 'rmaIssued', target: '#returns.done', actions: 'released' },
                // Back to the question the customer was at when the person took over (asked again).
                ...RESUMABLE_STATES.map((state) => ({
                  guard: ({ context }: { context: ReturnsContext }) => context.at === state,
                  target: `#returns.${state}`,
                  actions: 'released' as const,
                })),
                { target: '#returns.askOrderNumber', actions: 'released' },
              ],
              AGENT_CLOSED: { target: '#returns.ended', actions: [assign({ handoff: null }), emit(reply([part('handoff.closed')], { returns: { handoff: 'closed' } }))] },
              CANCEL: {},
              RESTART: {},
            },
          },
        },
      },
      ended: {
        tags: ['waiting'],
        entry: assign({ at: null }),
        on: {
          OPENING: [
            { guard: 'openingHasOrderNumber', target: 'askVerify', actions: ['resetConversation', assign(({ event }) => openingFacts(event)), emit(({ event }) => reply(greeting(event)))] },
            { target: 'askOrderNumber', actions: ['resetConversation', assign(({ event }) => openingFacts(event)), emit(({ event }) => reply(greeting(event)))] },
          ],
          NOT_UNDERSTOOD: { target: 'askOrderNumber', actions: ['resetConversation', emit(reply([part('greeting')]))] },
        },
      },
    },
  });
}

/** Why the customer is being handed to a person, from where the conversation was. */
function handoffReason(ctx: ReturnsContext): HandoffInput['reason'] {
  if (ctx.at === 'verifyFailed') return 'verification';
  if (ctx.at === 'referred') return 'referred';
  if (ctx.at === 'rejected') return 'disputed';
  if (ctx.misunderstood.count >= 2) return 'not-understood';
  return 'asked';
}

function openingFacts(event: ReturnsEvent): Partial<ReturnsContext> {
  if (event.type !== 'OPENING') return {};
  const out: Partial<ReturnsContext> = {};
  if (event.orderNumber) out.orderNumber = event.orderNumber;
  if (event.reason) {
    out.reason = event.reason;
    out.mentionsFault = Boolean(event.mentionsFault);
    if (event.reason === 'faulty' && event.faultCause) out.facts = { faultCause: event.faultCause };
  }
  return out;
}

function greeting(event: ReturnsEvent): Part[] {
  const parts = [part('greeting')];
  if (event.type === 'OPENING' && event.reason) parts.push(part(`greeting.ack.${event.reason}`));
  return parts;
}

export function initialContext(input: ReturnsInput): ReturnsContext {
  return {
    now: input.now,
    todayOverride: input.todayOverride ?? null,
    defaultPolicy: input.defaultPolicy,
    conversationId: input.conversationId,
    orderNumber: null,
    order: null,
    verifyAttempts: 0,
    itemIndex: null,
    reason: null,
    mentionsFault: false,
    facts: {},
    unavailable: [],
    deliveredOn: null,
    decision: null,
    remedy: null,
    rma: null,
    misunderstood: { step: null, count: 0 },
    choices: [],
    at: null,
    handoff: null,
  };
}

export type ReturnsMachine = ReturnType<typeof createReturnsMachine>;
export type { ReturnsData, UserEvent };
