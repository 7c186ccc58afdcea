/**
 * Public holidays from `date-holidays`, as sets of local dates per calendar ("GB-ENG", "GB-SCT", "US").
 *
 * Only holidays of type `public` count (not observances such as Mother's Day, nor optional days such
 * as US Christmas Eve). Both the weekend date and its substitute weekday are public in the data; the
 * substitute is what changes a working-day count, and weekends are skipped anyway. Loaded lazily per
 * year and cached for the life of the process: the data is static.
 *
 * Holiday data: date-holidays (ISC), data licensed CC-BY-3.0.
 */
import { createRequire } from 'node:module';
import type HolidaysClass from 'date-holidays';
import type { HolidayTest, LocalDate } from './calendar.js';

type Holidays = HolidaysClass;
let holidaysModule: typeof HolidaysClass | null = null;
/**
 * date-holidays, loaded on first use: it carries every country's rules (~0.1 s to load), and most
 * turns never count working days.
 */
function Holidays(country?: string, state?: string | { types: string[] }, options?: { types: string[] }): Holidays {
  holidaysModule ??= createRequire(import.meta.url)('date-holidays') as typeof HolidaysClass;
  const Ctor = holidaysModule as unknown as new (...args: unknown[]) => Holidays;
  return country === undefined ? new Ctor() : options ? new Ctor(country, state, options) : new Ctor(country, state);
}

const CALENDAR_RE = /^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$/;

/** True when `id` names a country (and optional region) that date-holidays knows, e.g. "GB-SCT" or "US". */
export function isHolidayCalendar(id: string): boolean {
  const m = CALENDAR_RE.exec(id);
  if (!m) return false;
  const [, country, region] = m;
  const hd = Holidays();
  const countries = hd.getCountries();
  if (!country || !countries[country]) return false;
  if (!region) return true;
  return Boolean(hd.getStates(country)?.[region]);
}

class HolidayCalendar {
  private readonly years = new Set<number>();
  private readonly dates = new Set<LocalDate>();
  private readonly source: Holidays;

  constructor(readonly id: string) {
    const m = CALENDAR_RE.exec(id);
    if (!m?.[1]) throw new RangeError(`unknown holiday calendar "${id}"`);
    this.source = m[2] ? Holidays(m[1], m[2], { types: ['public'] }) : Holidays(m[1], { types: ['public'] });
  }

  has(date: LocalDate): boolean {
    const year = Number(date.slice(0, 4));
    if (!this.years.has(year)) this.load(year);
    return this.dates.has(date);
  }

  private load(year: number): void {
    // A substitute day can fall in the neighbouring year (US New Year 2028 is observed 2027-12-31),
    // so each year's list is merged into one set of dates.
    for (const y of [year - 1, year, year + 1]) {
      if (this.years.has(y)) continue;
      for (const h of this.source.getHolidays(y) || []) {
        if (h.type === 'public') this.dates.add(h.date.slice(0, 10));
      }
    }
    this.years.add(year);
  }
}

const calendars = new Map<string, HolidayCalendar>();
function calendar(id: string): HolidayCalendar {
  let c = calendars.get(id);
  if (!c) {
    c = new HolidayCalendar(id);
    calendars.set(id, c);
  }
  return c;
}

/** The public holidays of `id` on `date` (true when it is one). */
export function isPublicHoliday(id: string, date: LocalDate): boolean {
  return calendar(id).has(date);
}

/**
 * A holiday test for the union of several calendars: a day is not a working day when it is a public
 * holiday in any of them (England & Wales plus the customer's own nation, for example).
 */
export function unionHolidays(ids: readonly string[]): HolidayTest {
  const cs = [...new Set(ids)].map(calendar);
  if (cs.length === 1) {
    const only = cs[0]!;
    return (date) => only.has(date);
  }
  return (date) => cs.some((c) => c.has(date));
}
