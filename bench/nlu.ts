/**
 * Benchmark: `understand` on one core — the held-out messages of both languages at their steps,
 * each timed alone in CPU time (p50, p99, max), beside the rule readers alone in the same run (the baseline:
 * today's reading before the models). Also the models' start-up: a fresh process importing the
 * understanding layer and loading both languages' models.
 *
 * "On one core": the timing runs in a child process started with V8's `--single-threaded` (no
 * background compiler, no parallel or concurrent collector), so all the work a message costs —
 * its share of garbage collection included — is done on the one thread and counted in its CPU time.
 * In a process with V8's helper threads, process.cpuUsage() also counts what those threads did
 * meanwhile for other work (compiling other functions, marking the heap), which is not this message's cost.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { understandWith, type UnderstandView } from '../src/nlu/understand.js';
import { warmModels } from '../src/nlu/model.js';
import { ROOT } from '../src/paths.js';
import { percentile } from './stats.js';

interface Msg {
  text: string;
  view: UnderstandView;
}

function messages(): Msg[] {
  const out: Msg[] = [];
  for (const [lang, locale] of [
    ['en', 'en-GB'],
    ['es', 'es-US'],
  ] as const) {
    for (const file of [`${lang}.jsonl`, `${lang}.fresh.jsonl`, `${lang}.c.jsonl`, `${lang}.d.jsonl`]) {
      for (const line of readFileSync(join(ROOT, 'test', 'nlu', 'heldout', file), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const row = JSON.parse(line) as { text: string; step: UnderstandView['step'] };
        out.push({ text: row.text, view: { locale, step: row.step, today: '2026-03-20', dateOrder: 'DMY', items: [], remedies: [], filled: [] } });
      }
    }
  }
  return out;
}

export interface NluBenchResult {
  messages: number;
  model: Percentiles;
  rules: Percentiles;
  ratioP99: number;
  startupMs: number;
  /** The same start-up in CPU time (all threads). */
  startupCpuMs: number;
  targetP99Ms: number;
  targetStartupMs: number;
}

/**
 * Each message's CPU time (user + system, microsecond clock): on a machine shared with other work
 * the wall clock also counts the time the process waits for a core, which is not the reader's cost.
 * The product and the baseline read each message in turn, so both meet the same garbage collector.
 */
function timeEach(msgs: readonly Msg[], rounds: number): { model: Percentiles; rules: Percentiles } {
  const times = { model: [] as number[], rules: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const m of msgs) {
      for (const model of [true, false]) {
        const c0 = process.cpuUsage();
        understandWith(m.text, m.view, { model });
        const c = process.cpuUsage(c0);
        (model ? times.model : times.rules).push((c.user + c.system) / 1000);
      }
    }
  }
  return { model: percentiles(times.model), rules: percentiles(times.rules) };
}

interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

function percentiles(times: number[]): Percentiles {
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1] ?? 0 };
}

/** The timing itself (in the single-threaded child): warm up, then time each message alone, rounds sized to the time budget. */
function timeAll(seconds: number): { messages: number; model: Percentiles; rules: Percentiles } {
  warmModels();
  const msgs = messages();
  timeEach(msgs, 3);
  const t0 = performance.now();
  timeEach(msgs, 1);
  const perRound = Math.max(1, performance.now() - t0);
  const rounds = Math.max(3, Math.floor((seconds * 1000) / perRound));
  return { messages: msgs.length * rounds, ...timeEach(msgs, rounds) };
}

export function benchNlu(seconds = 5): NluBenchResult {
  const script = `const t0 = performance.now(); const c0 = process.cpuUsage(); const m = await import(${JSON.stringify(join(ROOT, 'dist', 'src', 'nlu', 'index.js'))}); m.warmUp(); const c = process.cpuUsage(c0); process.stdout.write(JSON.stringify([performance.now() - t0, (c.user + c.system) / 1000]));`;
  const [startupMs = 0, startupCpuMs = 0] = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as number[];
  const timed = JSON.parse(
    execFileSync(process.execPath, ['--single-threaded', '--import', 'tsx', fileURLToPath(import.meta.url), '--time', String(seconds)], { encoding: 'utf8', maxBuffer: 1 << 20 }),
  ) as ReturnType<typeof timeAll>;
  return { ...timed, ratioP99: timed.model.p99 / timed.rules.p99, startupMs, startupCpuMs, targetP99Ms: 1, targetStartupMs: 1500 };
}

if (process.argv[2] === '--time') process.stdout.write(JSON.stringify(timeAll(Number(process.argv[3]))));
