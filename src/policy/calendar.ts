/**
 * Calendar arithmetic on local dates (`YYYY-MM-DD`), as the policies and the law count them.
 *
 * Pure. A local date has no time and no zone: "N days from X" is the calendar date X + N,
 * "N months from X" is the corresponding date N months later clamped to the month's end, and
 * nothing rolls forward over weekends or holidays. The only place a zone matters is turning an
 * instant into the date it is somewhere ({@link localDateIn}); the caller passes the instant in.
 *
 * Arithmetic is done by date-fns on `UTCDate` (so the server's own zone can never shift a day) and
 * memoised, because the same few hundred dates come up again and again on a hot path.
 */
// Per-function entry points: the package index loads every date-fns function (~0.1 s at start).
import { addDays as fnsAddDays } from 'date-fns/addDays';
import { addMonths as fnsAddMonths } from 'date-fns/addMonths';
import { differenceInCalendarDays } from 'date-fns/differenceInCalendarDays';
import { isValid } from 'date-fns/isValid';
import { UTCDate } from '@date-fns/utc';
import { TZDate } from '@date-fns/tz';

/** A calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `s` is a real calendar date written `YYYY-MM-DD` (so `2027-02-29` is false). */
export function isLocalDate(s: unknown): s is LocalDate {
  if (typeof s !== 'string') return false;
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const y = Number(m[1]),
    mo = Number(m[2]),
    d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function toUtc(date: LocalDate): UTCDate {
  const d = new UTCDate(`${date}T00:00:00Z`);
  if (!isValid(d)) throw new RangeError(`not a date: ${date}`);
  return d;
}

function fromUtc(d: Date): LocalDate {
  return d.toISOString().slice(0, 10);
}

const MEMO_LIMIT = 100_000;
const memo = new Map<string, LocalDate>();
function remember(key: string, compute: () => LocalDate): LocalDate {
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const value = compute();
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}

/** The date `days` calendar days after `date` (negative goes back). */
export function addDays(date: LocalDate, days: number): LocalDate {
  return remember(`d${date}${days}`, () => fromUtc(fnsAddDays(toUtc(date), days)));
}

/**
 * The corresponding date `months` calendar months after `date`, clamped to the last day of the
 * target month (2026-01-31 + 1 month = 2026-02-28; 2028-02-29 + 12 months = 2029-02-28).
 */
export function addMonths(date: LocalDate, months: number): LocalDate {
  return remember(`m${date}${months}`, () => fromUtc(fnsAddMonths(toUtc(date), months)));
}

/** Calendar days from `a` to `b` (positive when `b` is later). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return differenceInCalendarDays(toUtc(b), toUtc(a));
}

/** ISO weekday of a local date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: LocalDate): number {
  const d = toUtc(date).getUTCDay();
  return d === 0 ? 7 : d;
}

/** Tells whether a local date is a public holiday in the calendar being counted. */
export type HolidayTest = (date: LocalDate) => boolean;

/**
 * The `n`th working day after `date`: counting starts the day after, a working day is Monday to
 * Friday and not a holiday by `isHoliday`. `n` must be ≥ 1.
 */
export function addWorkingDays(date: LocalDate, n: number, isHoliday: HolidayTest, calendarKey: string): LocalDate {
  return remember(`w${calendarKey}${date}${n}`, () => {
    let current = date;
    let counted = 0;
    // A working-day period is never longer than a few weeks; the bound only guards bad input.
    for (let guard = 0; counted < n && guard < n * 7 + 366; guard++) {
      current = addDays(current, 1);
      if (isoWeekday(current) <= 5 && !isHoliday(current)) counted++;
    }
    return current;
  });
}

/** The calendar date an instant falls on in an IANA time zone (e.g. 23:30Z in July is the next day in London). */
export function localDateIn(zone: string, instant: Date | number): LocalDate {
  const d = new TZDate(typeof instant === 'number' ? instant : instant.getTime(), zone);
  const y = d.getFullYear(),
    m = d.getMonth() + 1,
    day = d.getDate();
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** True when `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Compare two local dates as strings sort: negative, zero or positive. */
export function compareDates(a: LocalDate, b: LocalDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
