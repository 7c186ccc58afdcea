/**
 * The support team's opening hours, from configuration: `Mon-Fri 09:00-17:30; Sat 10:00-14:00`,
 * evaluated in a time zone. Pure: the instant is passed in.
 */
import { TZDate } from '@date-fns/tz';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export interface OpeningHours {
  /** The text as configured (shown to customers). */
  text: string;
  isOpen: (instant: number) => boolean;
}

interface Span {
  days: Set<number>;
  from: number;
  to: number;
}

function minutes(hhmm: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) return null;
  const h = Number(m[1]),
    mi = Number(m[2]);
  return h <= 24 && mi < 60 ? h * 60 + mi : null;
}

/**
 * Parse opening hours; returns the problem as a string when the text is not understood.
 * Grammar: `DAY[-DAY][,DAY…] HH:MM-HH:MM` separated by `;` (days Mon…Sun, English three letters).
 */
export function parseOpeningHours(text: string, timeZone: string): OpeningHours | string {
  const spans: Span[] = [];
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z,\s-]+)\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/.exec(part);
    if (!m) return `expected "Mon-Fri 09:00-17:30" (parts separated by ";"), got "${part}"`;
    const days = new Set<number>();
    for (const group of m[1]!.split(',').map((g) => g.trim().toLowerCase())) {
      const [a, b] = group.split('-').map((d) => DAYS.indexOf(d.trim().slice(0, 3) as (typeof DAYS)[number]));
      if (a === undefined || a < 0 || (b !== undefined && b < 0)) return `expected days like Mon, Tue-Fri, got "${group}"`;
      if (b === undefined) days.add(a);
      else
        for (let d = a; ; d = (d + 1) % 7) {
          days.add(d);
          if (d === b) break;
        }
    }
    const from = minutes(m[2]!),
      to = minutes(m[3]!);
    if (from === null || to === null || to <= from) return `expected a time range like 09:00-17:30, got "${m[2]}-${m[3]}"`;
    spans.push({ days, from, to });
  }
  if (spans.length === 0) return 'expected at least one day and time range';
  return {
    text,
    isOpen: (instant) => {
      const d = new TZDate(instant, timeZone);
      const day = d.getDay();
      const at = d.getHours() * 60 + d.getMinutes();
      return spans.some((s) => s.days.has(day) && at >= s.from && at < s.to);
    },
  };
}
