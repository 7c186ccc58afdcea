/**
 * Benchmark: `decide` over a mixed set of cases (both packs, every reason, known and unknown facts).
 * Reports decisions per second on one core, and the same against a baseline measured in this run
 * (a JSON round-trip of each case: a calibrator for the machine's speed).
 */
import { caseSchema, CATEGORIES, CONDITION_FIELDS, FAULT_CAUSES, REASONS, type Case } from '../src/policy/case.js';
import { addDays } from '../src/policy/calendar.js';
import { decide } from '../src/policy/engine.js';
import { loadPack } from '../src/policy/packs.js';

/** Deterministic pseudo-random numbers (mulberry32), so every run decides the same cases. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mixedCases(n: number, seed = 42): Case[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const cases: Case[] = [];
  for (let i = 0; i < n; i++) {
    const deliveredOn = addDays('2026-01-01', Math.floor(r() * 700));
    const condition: Record<string, unknown> = {};
    for (const f of CONDITION_FIELDS) {
      if (r() < 0.25) continue; // unknown
      if (f === 'faultCause') condition[f] = r() < 0.7 ? 'defect' : pick(FAULT_CAUSES);
      else if (f === 'manufacturerPreauth') condition[f] = r() < 0.5 ? 'none' : 'MP-1234';
      else condition[f] = ['serialLabelIntact', 'upcPresent', 'allAccessories', 'originalPackaging', 'originalOsIntact'].includes(f) ? r() < 0.9 : r() < 0.1;
    }
    cases.push(
      caseSchema.parse({
        policy: r() < 0.5 ? 'uk-online' : 'impress-us',
        today: addDays(deliveredOn, Math.floor(r() * 420)),
        reason: pick(REASONS),
        deliveredOn,
        customerRegion: pick(['GB-ENG', 'GB-SCT', 'GB-NIR', 'GB-WLS', 'US-NY', undefined]),
        product: { category: pick(CATEGORIES), price: 100, specialOrder: r() < 0.05, requiresManufacturerPreauth: r() < 0.2 },
        delivery: r() < 0.5 ? { charge: pick([0, 4.99, 9.99]), cheapestCharge: 4.99 } : undefined,
        condition,
      }),
    );
  }
  return cases;
}

function rate(cases: readonly Case[], seconds: number, body: (c: Case) => unknown): number {
  let n = 0;
  let sink = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (const c of cases) {
      const out = body(c);
      if (out) sink++;
      n++;
    }
  }
  if (sink < 0) console.log(sink);
  return n / seconds;
}

export interface DecideBenchResult {
  decisionsPerSecond: number;
  baselinePerSecond: number;
  ratio: number;
  target: number;
}

export function benchDecide(seconds = 2): DecideBenchResult {
  const cases = mixedCases(2000);
  const packs = { 'uk-online': loadPack('uk-online'), 'impress-us': loadPack('impress-us') } as const;
  const packOf = (c: Case) => packs[c.policy as keyof typeof packs];
  // Warm up both paths (JIT, holiday tables, date memo).
  rate(cases, 0.3, (c) => decide(c, packOf(c)));
  rate(cases, 0.3, (c) => JSON.parse(JSON.stringify(c)));
  const decisionsPerSecond = rate(cases, seconds, (c) => decide(c, packOf(c)));
  const baselinePerSecond = rate(cases, seconds, (c) => JSON.parse(JSON.stringify(c)));
  return { decisionsPerSecond, baselinePerSecond, ratio: decisionsPerSecond / baselinePerSecond, target: 200_000 };
}
