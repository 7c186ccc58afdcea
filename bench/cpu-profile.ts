/**
 * Where a server spends its CPU: a summary of a V8 `.cpuprofile` (`node --cpu-prof`), as the
 * functions with the most self time and the packages / project files with the most time (self and
 * inclusive: a package's inclusive time is every sample with one of its frames on the stack).
 *
 *   node --import tsx bench/cpu-profile.ts FILE.cpuprofile [TOP]
 *
 * `npm run bench -- http` writes one for the returns bot when BENCH_CPU_PROF=DIR is set.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time that was not idle, in ms. */
  busyMs: number;
  idleMs: number;
  top: { function: string; where: string; selfMs: number; selfPercent: number }[];
  /** The project's own functions (src/, dialogs/, machines/) by inclusive time: where a turn goes. */
  ownInclusive: { function: string; where: string; inclusiveMs: number; inclusivePercent: number }[];
  areas: { area: string; selfMs: number; selfPercent: number; inclusiveMs: number; inclusivePercent: number }[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** The package, the project file or the runtime part a frame belongs to. */
function areaOf(frame: ProfileNode['callFrame']): string {
  const name = frame.functionName;
  if (SPECIAL.has(name)) return name;
  const url = frame.url;
  if (!url) return '(native / V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url.startsWith('node:internal/deps/undici') ? 'node:undici' : 'node: (runtime)';
  const own = /\/(src|dialogs|machines|bench)\/(.+?)\.[jt]s$/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url.replace(/^file:\/\//, '');
}

function whereOf(frame: ProfileNode['callFrame']): string {
  const short = frame.url
    .replace(/^file:\/\/.*?node_modules\//, '')
    .replace(/^file:\/\/.*?\/out\//, '')
    .replace(/^file:\/\/.*?\/main\//, '');
  return short ? `${short}:${frame.lineNumber + 1}` : '';
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  }
  let idleMs = 0;
  let busyMs = 0;
  const fnSelf = new Map<string, { function: string; where: string; selfMs: number }>();
  const areaSelf = new Map<string, number>();
  const areaInclusive = new Map<string, number>();
  const ownInclusive = new Map<string, { function: string; where: string; inclusiveMs: number }>();
  for (const [id, ms] of self) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const where = whereOf(node.callFrame);
    const key = `${node.callFrame.functionName}@${where}`;
    const entry = fnSelf.get(key) ?? { function: node.callFrame.functionName || '(anonymous)', where, selfMs: 0 };
    entry.selfMs += ms;
    fnSelf.set(key, entry);
    const area = areaOf(node.callFrame);
    areaSelf.set(area, (areaSelf.get(area) ?? 0) + ms);
    const seen = new Set<string>();
    const seenOwn = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      seen.add(areaOf(frame));
      if (/\/(src|dialogs|machines)\//.test(frame.url) && !frame.url.includes('node_modules')) {
        const w = whereOf(frame);
        const k = `${frame.functionName}@${w}`;
        if (!seenOwn.has(k)) {
          seenOwn.add(k);
          const e = ownInclusive.get(k) ?? { function: frame.functionName || '(anonymous)', where: w, inclusiveMs: 0 };
          e.inclusiveMs += ms;
          ownInclusive.set(k, e);
        }
      }
    }
    for (const a of seen) areaInclusive.set(a, (areaInclusive.get(a) ?? 0) + ms);
  }
  const pct = (ms: number) => (100 * ms) / busyMs;
  return {
    busyMs,
    idleMs,
    top: [...fnSelf.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((f) => ({ ...f, selfPercent: pct(f.selfMs) })),
    ownInclusive: [...ownInclusive.values()]
      .sort((a, b) => b.inclusiveMs - a.inclusiveMs)
      .slice(0, top)
      .map((f) => ({ ...f, inclusivePercent: pct(f.inclusiveMs) })),
    areas: [...areaInclusive.keys()]
      .filter((a) => a !== '(root)')
      .map((area) => ({ area, selfMs: areaSelf.get(area) ?? 0, selfPercent: pct(areaSelf.get(area) ?? 0), inclusiveMs: areaInclusive.get(area)!, inclusivePercent: pct(areaInclusive.get(area)!) }))
      .sort((a, b) => b.inclusiveMs - a.inclusiveMs)
      .slice(0, top),
  };
}

export function formatProfile(s: ProfileSummary): string {
  const f = (n: number) => n.toFixed(1).padStart(5);
  return [
    `busy ${Math.round(s.busyMs)} ms, idle ${Math.round(s.idleMs)} ms`,
    'self time by function:',
    ...s.top.map((t) => `  ${f(t.selfPercent)}%  ${t.function}  ${t.where}`),
    'by package / file (inclusive %, self %):',
    ...s.areas.map((a) => `  ${f(a.inclusivePercent)}%  ${f(a.selfPercent)}%  ${a.area}`),
    "the project's functions by inclusive time:",
    ...s.ownInclusive.map((t) => `  ${f(t.inclusivePercent)}%  ${t.function}  ${t.where}`),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: bench/cpu-profile.ts FILE.cpuprofile [TOP]');
  console.log(formatProfile(summarizeProfile(file, Number(process.argv[3] ?? 25))));
}
