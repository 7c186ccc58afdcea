/**
 * Calendar arithmetic and holiday calendars, checked against the worked examples and tables of
 * docs/law-and-dates.md (§0, §4.1–§4.5, §5) and docs/CONTRACT.md §2 and §5.
 *
 * Every expected value below is copied from those documents (or follows from a holiday list given
 * there, as noted on the row); nothing is computed with the code under test.
 */
import { expect } from 'chai';
import { addDays, addMonths, addWorkingDays, compareDates, daysBetween, isLocalDate, isoWeekday, isTimeZone, localDateIn } from '../../src/policy/calendar.js';
import { isHolidayCalendar, isPublicHoliday, unionHolidays } from '../../src/policy/holidays.js';

const WEEKDAY = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

describe('calendar: day arithmetic ("N days from X" = X + N, no roll-forward)', () => {
  const rows: [string, number, string, string][] = [
    // [from, days, expected, source]
    ['2026-12-22', 14, '2027-01-05', '§0.1 / §4.2: change-of-mind last day D+14, over the year end'],
    ['2027-01-05', 14, '2027-01-19', '§4.2: goods sent back by notice + 14'],
    ['2027-01-08', 14, '2027-01-22', '§4.2: refund deadline from proof of posting + 14'],
    ['2026-12-22', 30, '2027-01-21', '§4.2: short-term right to reject D+30'],
    ['2026-12-29', 14, '2027-01-12', '§4.2 table: CCR last day for delivery 2026-12-29'],
    ['2027-12-23', 14, '2028-01-06', '§4.2 table: CCR last day for delivery 2027-12-23'],
    ['2027-12-23', 30, '2028-01-22', '§4.2: STRR last day Sat 2028-01-22, not moved (R6)'],
    ['2026-07-01', 14, '2026-07-15', 'S3: last day 2026-07-15'],
    ['2027-03-12', 14, '2027-03-26', 'S4: last day is Good Friday, not rolled forward'],
    ['2027-03-12', 17, '2027-03-29', 'S4: Easter Monday is day 17'],
    ['2026-05-06', 14, '2026-05-20', 'S5: split delivery, 14 days after the last item'],
    ['2026-03-02', 29, '2026-03-31', 'S11: day 29'],
    ['2026-03-02', 30, '2026-04-01', 'S11: day 30 is still within'],
    ['2026-03-02', 31, '2026-04-02', 'S12: day 31'],
    ['2026-03-01', 364, '2027-02-28', 'S13: day 364'],
    ['2026-03-01', 366, '2027-03-02', 'S14: day 366'],
    ['2026-06-01', 30, '2026-07-01', 'S17: misdescribed day 30'],
    ['2026-06-01', 31, '2026-07-02', 'S18: misdescribed day 31'],
    ['2026-11-02', 30, '2026-12-02', 'S23: Impress day 30'],
    ['2026-11-02', 31, '2026-12-03', 'S24: Impress day 31'],
    ['2026-05-11', 14, '2026-05-25', 'S22: evidence + 14 lands on a bank holiday and is not extended'],
    ['2027-01-05', -14, '2026-12-22', 'negative days go back over the year end'],
    ['2028-03-01', -1, '2028-02-29', 'one day back from 1 March in a leap year'],
    ['2027-03-01', -1, '2027-02-28', 'one day back from 1 March in a common year'],
    ['2026-12-31', 1, '2027-01-01', 'year end'],
    ['2026-01-31', 0, '2026-01-31', 'zero days is the same date'],
  ];
  for (const [from, days, expected, source] of rows) {
    it(`${from} ${days >= 0 ? '+' : '−'} ${Math.abs(days)} days = ${expected} (${source})`, () => {
      expect(addDays(from, days)).to.equal(expected);
    });
  }
});

describe('calendar: §4.3 month-end and leap-year table (corresponding date, clamped to month end)', () => {
  // Columns: delivered | +12 months "from" | D+30 | D+365 | D+366   (law-and-dates §4.3)
  const table: [string, string, string, string, string][] = [
    ['2026-01-31', '2027-01-31', '2026-03-02', '2027-01-31', '2027-02-01'],
    ['2026-08-31', '2027-08-31', '2026-09-30', '2027-08-31', '2027-09-01'],
    ['2027-02-28', '2028-02-28', '2027-03-30', '2028-02-28', '2028-02-29'],
    ['2027-03-01', '2028-03-01', '2027-03-31', '2028-02-29', '2028-03-01'],
    ['2028-02-29', '2029-02-28', '2028-03-30', '2029-02-28', '2029-03-01'],
  ];
  for (const [d, plus12m, plus30, plus365, plus366] of table) {
    it(`${d} + 12 months = ${plus12m}`, () => expect(addMonths(d, 12)).to.equal(plus12m));
    it(`${d} + 30 days = ${plus30}`, () => expect(addDays(d, 30)).to.equal(plus30));
    it(`${d} + 365 days = ${plus365}`, () => expect(addDays(d, 365)).to.equal(plus365));
    it(`${d} + 366 days = ${plus366}`, () => expect(addDays(d, 366)).to.equal(plus366));
  }

  // "6 months beginning with D" = (D + 6 months, clamped) − 1 day (R4), for the rows where the
  // reading is not ambiguous; the 2026-08-31 row is ambiguous (02-27 or 02-28) and is checked apart.
  const beginningWith: [string, string][] = [
    ['2026-01-31', '2026-07-30'],
    ['2027-02-28', '2027-08-27'],
    ['2027-03-01', '2027-08-31'],
    ['2028-02-29', '2028-08-28'],
    ['2026-12-22', '2027-06-21'], // §4.2: six-month presumption window ends
    ['2026-12-23', '2027-06-22'], // §4.2: no-deduction window, beginning with D+1
  ];
  for (const [d, last] of beginningWith) {
    it(`6 months beginning with ${d} ends ${last} (R4: clamped corresponding date − 1)`, () => {
      expect(addDays(addMonths(d, 6), -1)).to.equal(last);
    });
  }
  it('6 months beginning with 2026-08-31 ends on one of the two readings 2027-02-27 / 2027-02-28 (R4, S16)', () => {
    expect(['2027-02-27', '2027-02-28']).to.include(addDays(addMonths('2026-08-31', 6), -1));
  });

  const months: [string, number, string, string][] = [
    ['2027-03-01', 12, '2028-03-01', 'S15: leap day in between, = D+366'],
    ['2028-02-29', 12, '2029-02-28', 'S15 companion: clamped to 28 Feb'],
    ['2026-12-22', 12, '2027-12-22', '§4.2: seed 12-month guarantee ends'],
    ['2027-01-05', 12, '2028-01-05', '§4.2 / reg 31: +12 months on the normal end'],
    ['2026-03-01', 12, '2027-03-01', 'S13: 12 months ends 2027-03-01'],
    ['2026-01-31', 1, '2026-02-28', 'R4: 31 Jan + 1 month clamps to 28 Feb'],
    ['2028-01-31', 1, '2028-02-29', 'R4: 31 Jan + 1 month clamps to 29 Feb in a leap year'],
    ['2026-08-31', 6, '2027-02-28', 'R4: 31 Aug + 6 months clamps to 28 Feb'],
    ['2026-03-31', 1, '2026-04-30', 'R4: 31 Mar + 1 month clamps to 30 Apr'],
    ['2026-03-01', 24, '2028-03-01', '24 months over a leap year'],
    ['2028-02-29', 24, '2030-02-28', '24 months from a leap day clamps'],
    ['2028-02-29', 48, '2032-02-29', '48 months from a leap day lands on a leap day'],
    ['2026-11-30', 3, '2027-02-28', 'over the year end, clamped'],
    ['2026-05-15', 0, '2026-05-15', 'zero months is the same date'],
  ];
  for (const [from, n, expected, source] of months) {
    it(`${from} + ${n} months = ${expected} (${source})`, () => expect(addMonths(from, n)).to.equal(expected));
  }
});

describe('calendar: daysBetween, isoWeekday, compareDates', () => {
  const between: [string, string, number, string][] = [
    ['2026-03-01', '2027-02-28', 364, 'S13: day 364'],
    ['2026-03-01', '2027-03-02', 366, 'S14: day 366'],
    ['2027-03-01', '2028-03-01', 366, 'S15: day 366, leap day in between'],
    ['2026-12-22', '2027-01-05', 14, 'S1: day 14'],
    ['2026-12-22', '2027-01-06', 15, 'S2: day 15'],
    ['2027-01-06', '2026-12-22', -15, 'negative when b is earlier'],
    ['2026-07-15', '2026-07-15', 0, 'same day'],
  ];
  for (const [a, b, n, source] of between) {
    it(`from ${a} to ${b} is ${n} days (${source})`, () => expect(daysBetween(a, b)).to.equal(n));
  }

  // Weekdays as the documents name them.
  const weekdays: [string, number][] = [
    ['2026-12-22', 2], // Tue (§0.1)
    ['2027-01-05', 2], // Tue
    ['2027-01-07', 4], // Thu (S21)
    ['2026-12-31', 4], // Thu (S19)
    ['2027-01-04', 1], // Mon (S20)
    ['2026-03-01', 7], // Sun (S13)
    ['2027-02-28', 7], // Sun (S13)
    ['2027-03-26', 5], // Fri, Good Friday (S4)
    ['2028-01-22', 6], // Sat (§4.2)
    ['2028-03-01', 3], // Wed (S15)
  ];
  for (const [date, wd] of weekdays) {
    it(`${date} is a ${WEEKDAY[wd]}`, () => expect(isoWeekday(date)).to.equal(wd));
  }

  it('compareDates orders dates as the calendar does', () => {
    expect(compareDates('2026-12-31', '2027-01-01')).to.be.below(0);
    expect(compareDates('2027-01-01', '2026-12-31')).to.be.above(0);
    expect(compareDates('2028-02-29', '2028-02-29')).to.equal(0);
  });
});

describe('calendar: isLocalDate', () => {
  const rows: [unknown, boolean, string][] = [
    ['2027-02-29', false, '2027 is not a leap year'],
    ['2028-02-29', true, '2028 is a leap year'],
    ['2100-02-29', false, '2100 is not a leap year'],
    ['2000-02-29', true, '2000 is a leap year'],
    ['2026-12-31', true, 'last day of the year'],
    ['2026-04-31', false, 'April has 30 days'],
    ['2026-13-01', false, 'month 13'],
    ['2026-00-10', false, 'month 0'],
    ['2026-01-00', false, 'day 0'],
    ['2026-01-32', false, 'day 32'],
    ['31/12/2026', false, 'day-first format'],
    ['2026-1-5', false, 'no leading zeros'],
    ['2026-01-05T00:00:00Z', false, 'a timestamp is not a date'],
    [' 2026-01-05', false, 'leading space'],
    ['2026-01-05 ', false, 'trailing space'],
    ['20260105', false, 'no dashes'],
    ['', false, 'empty string'],
    [20260105, false, 'a number'],
    [null, false, 'null'],
    [undefined, false, 'undefined'],
    [new Date('2026-01-05'), false, 'a Date object'],
  ];
  for (const [value, ok, why] of rows) {
    it(`${JSON.stringify(value) ?? String(value)} → ${ok} (${why})`, () => expect(isLocalDate(value)).to.equal(ok));
  }
});

describe('calendar: localDateIn (the date an instant falls on in the policy zone, §4.5 / R0)', () => {
  const rows: [string, string, string, string][] = [
    // [instant, zone, expected date, source]
    ['2026-07-15T23:30:00Z', 'Europe/London', '2026-07-16', 'S3 / §0.10: 00:30 BST on 16 July'],
    ['2026-07-15T22:59:59Z', 'Europe/London', '2026-07-15', 'S3 control: 23:59:59 BST on 15 July'],
    ['2026-07-15T23:30:00Z', 'UTC', '2026-07-15', 'the UTC date differs, which is the trap'],
    ['2027-01-05T23:40:00Z', 'Europe/London', '2027-01-05', 'S1: 23:40 GMT is still 5 January in winter'],
    ['2027-01-06T00:05:00Z', 'Europe/London', '2027-01-06', 'S2: 00:05 GMT on 6 January'],
    ['2026-07-16T00:00:00Z', 'America/New_York', '2026-07-15', '§4.5: 20:00 EDT on the last day in New York …'],
    ['2026-07-16T00:00:00Z', 'Europe/London', '2026-07-16', '§4.5: … is 01:00 BST on the next London day'],
    ['2025-01-20T04:59:59Z', 'America/New_York', '2025-01-19', '§4.4: 2025-01-20 starts at 05:00Z in New York'],
    ['2025-01-20T05:00:00Z', 'America/New_York', '2025-01-20', '§4.4: 2025-01-20 starts at 05:00Z in New York'],
    ['2026-12-03T04:30:00Z', 'America/New_York', '2026-12-02', 'S23: 23:30 EST on day 30 is still day 30'],
    ['2026-03-28T23:30:00Z', 'Europe/London', '2026-03-28', 'R0: before BST starts (2026-03-29 01:00Z) London is on GMT'],
    ['2026-03-29T23:30:00Z', 'Europe/London', '2026-03-30', 'R0: after BST starts 23:30Z is 00:30 the next day'],
    ['2026-10-24T23:30:00Z', 'Europe/London', '2026-10-25', 'R0: BST until 2026-10-25 01:00Z'],
    ['2026-10-25T23:30:00Z', 'Europe/London', '2026-10-25', 'R0: back on GMT after 2026-10-25 01:00Z'],
  ];
  for (const [instant, zone, expected, source] of rows) {
    it(`${instant} in ${zone} is ${expected} (${source})`, () => {
      expect(localDateIn(zone, new Date(instant))).to.equal(expected);
    });
  }
  it('accepts epoch milliseconds as well as a Date', () => {
    expect(localDateIn('Europe/London', Date.parse('2026-07-15T23:30:00Z'))).to.equal('2026-07-16');
  });

  const zones: [string, boolean][] = [
    ['Europe/London', true],
    ['America/New_York', true],
    ['Europe/Berlin', true],
    ['UTC', true],
    ['Europe/Londn', false],
    ['GMT+25', false],
    ['', false],
    ['London', false],
  ];
  for (const [zone, ok] of zones) {
    it(`isTimeZone(${JSON.stringify(zone)}) is ${ok}`, () => expect(isTimeZone(zone)).to.equal(ok));
  }
});

/** The holiday calendars of a customer in each UK nation, as R5 counts them (E&W plus their own nation). */
const NATIONS = {
  'England & Wales': ['GB-ENG'],
  Wales: ['GB-ENG', 'GB-WLS'],
  Scotland: ['GB-ENG', 'GB-SCT'],
  'Northern Ireland': ['GB-ENG', 'GB-NIR'],
} as const;

function nthWorkingDay(date: string, n: number, ids: readonly string[]): string {
  return addWorkingDays(date, n, unionHolidays(ids), ids.join('+'));
}

describe('calendar: working days (R5: Mon–Fri, not a public holiday in E&W or the customer nation)', () => {
  // §4.2: delivered Tue 2026-12-22 — working days 23 (1), 24 (2), 29 (3), 30 (4), 31 (5); 2027-01-04 is the 6th.
  const christmas2026: [number, string][] = [
    [1, '2026-12-23'],
    [2, '2026-12-24'],
    [3, '2026-12-29'],
    [4, '2026-12-30'],
    [5, '2026-12-31'],
    [6, '2027-01-04'],
  ];
  for (const [n, expected] of christmas2026) {
    it(`England: working day ${n} after Tue 2026-12-22 is ${expected} (§4.2 / S19 / S20)`, () => {
      expect(nthWorkingDay('2026-12-22', n, ['GB-ENG'])).to.equal(expected);
    });
  }
  for (const nation of ['Wales', 'Scotland', 'Northern Ireland'] as const) {
    it(`${nation}: 5th working day after 2026-12-22 is 2026-12-31 too (§4.2 "Same in Scotland and NI")`, () => {
      expect(nthWorkingDay('2026-12-22', 5, NATIONS[nation])).to.equal('2026-12-31');
    });
  }
  it('Scotland: the 6th working day after 2026-12-22 is 2027-01-05 (4 Jan 2027 is a Scottish holiday, §4.4)', () => {
    expect(nthWorkingDay('2026-12-22', 6, NATIONS.Scotland)).to.equal('2027-01-05');
  });

  // §4.2 "More working-day results", and S21.
  const more: [string, keyof typeof NATIONS, string][] = [
    ['2026-12-29', 'England & Wales', '2027-01-06'],
    ['2026-12-29', 'Wales', '2027-01-06'],
    ['2026-12-29', 'Scotland', '2027-01-07'],
    ['2026-12-29', 'Northern Ireland', '2027-01-06'],
    ['2027-12-23', 'England & Wales', '2028-01-04'],
    ['2027-12-23', 'Wales', '2028-01-04'],
    ['2027-12-23', 'Scotland', '2028-01-05'],
    ['2027-12-23', 'Northern Ireland', '2028-01-04'],
  ];
  for (const [d, nation, expected] of more) {
    it(`${nation}: 5th working day after ${d} is ${expected} (§4.2 table)`, () => {
      expect(nthWorkingDay(d, 5, NATIONS[nation])).to.equal(expected);
    });
  }
  it('Scotland alone (without the E&W union) also gives 2027-01-07 for delivery 2026-12-29 (S21)', () => {
    expect(nthWorkingDay('2026-12-29', 5, ['GB-SCT'])).to.equal('2027-01-07');
  });
  it('S21 day by day in Scotland: 30 Dec (1), 31 Dec (2), 5 Jan (3), 6 Jan (4), 7 Jan (5)', () => {
    const days = [1, 2, 3, 4, 5].map((n) => nthWorkingDay('2026-12-29', n, NATIONS.Scotland));
    expect(days).to.deep.equal(['2026-12-30', '2026-12-31', '2027-01-05', '2027-01-06', '2027-01-07']);
  });

  // Easter 2027: Good Friday 03-26 and Easter Monday 03-29 in E&W; Scotland has Good Friday but no Easter Monday (§4.4).
  const easter: [string, number, readonly string[], string, string][] = [
    ['2027-03-25', 1, ['GB-ENG'], '2027-03-30', 'England: Good Friday and Easter Monday skipped'],
    ['2027-03-25', 1, ['GB-SCT'], '2027-03-29', 'Scotland alone: Good Friday skipped, Easter Monday is a working day'],
    ['2027-03-25', 1, NATIONS.Scotland, '2027-03-30', 'Scottish customer under R5: the E&W Easter Monday still counts as a holiday'],
    ['2027-03-25', 1, NATIONS['Northern Ireland'], '2027-03-30', 'Northern Ireland: as England'],
    ['2027-03-24', 5, ['GB-ENG'], '2027-04-02', 'England: 25, 30, 31 Mar, 1, 2 Apr'],
    ['2027-03-24', 5, ['GB-SCT'], '2027-04-01', 'Scotland alone: 25, 29, 30, 31 Mar, 1 Apr'],
    ['2027-03-12', 5, ['GB-NIR'], '2027-03-22', 'Northern Ireland: St Patrick’s Day 2027-03-17 is skipped'],
    ['2027-03-12', 5, ['GB-ENG'], '2027-03-19', 'England: 17 March is a working day'],
    ['2026-07-10', 1, NATIONS['Northern Ireland'], '2026-07-14', 'Northern Ireland: Boyne substitute 2026-07-13 is skipped'],
    ['2026-07-10', 1, ['GB-ENG'], '2026-07-13', 'England: 13 July is a working day'],
  ];
  for (const [d, n, ids, expected, why] of easter) {
    it(`working day ${n} after ${d} with ${ids.join('+')} is ${expected} (${why})`, () => {
      expect(nthWorkingDay(d, n, ids)).to.equal(expected);
    });
  }

  // US federal observed dates (§4.4): Christmas 2027 observed Fri 24 Dec, New Year 2028 observed Fri 31 Dec.
  const us: [string, number, string, string][] = [
    ['2027-12-23', 1, '2027-12-27', 'Christmas 2027 observed on Fri 2027-12-24'],
    ['2027-12-30', 1, '2028-01-03', 'New Year 2028 observed on Fri 2027-12-31'],
    ['2026-07-02', 1, '2026-07-06', 'Independence Day 2026 observed on Fri 2026-07-03'],
    ['2026-11-25', 1, '2026-11-27', 'the day after Thanksgiving is not a federal holiday'],
  ];
  for (const [d, n, expected, why] of us) {
    it(`US: working day ${n} after ${d} is ${expected} (${why})`, () => expect(nthWorkingDay(d, n, ['US'])).to.equal(expected));
  }

  it('weekends are never working days, even with no holidays at all', () => {
    const none = () => false;
    expect(addWorkingDays('2026-12-25', 1, none, 'none')).to.equal('2026-12-28'); // Fri → Mon
    expect(addWorkingDays('2026-12-25', 5, none, 'none')).to.equal('2027-01-01');
    expect(addWorkingDays('2026-12-26', 1, none, 'none')).to.equal('2026-12-28'); // Sat → Mon
  });
});

/** Every Monday-to-Friday date of `year` that `id` calls a public holiday. */
function weekdayHolidays(id: string, year: number): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    const d = new Date(t);
    const wd = d.getUTCDay();
    if (wd === 0 || wd === 6) continue;
    const date = d.toISOString().slice(0, 10);
    if (isPublicHoliday(id, date)) out.push(date);
  }
  return out;
}

const withYear = (year: number, mmdd: string) => mmdd.split(', ').map((d) => `${year}-${d}`);

describe('holidays: weekday public holidays, exactly as §4.4 lists them', () => {
  const ew: Record<number, string> = {
    2025: '01-01, 04-18, 04-21, 05-05, 05-26, 08-25, 12-25, 12-26',
    2026: '01-01, 04-03, 04-06, 05-04, 05-25, 08-31, 12-25, 12-28',
    2027: '01-01, 03-26, 03-29, 05-03, 05-31, 08-30, 12-27, 12-28',
    2028: '01-03, 04-14, 04-17, 05-01, 05-29, 08-28, 12-25, 12-26',
  };
  const sct: Record<number, string> = {
    2025: '01-01, 01-02, 04-18, 05-05, 05-26, 08-04, 12-01, 12-25, 12-26',
    2026: '01-01, 01-02, 04-03, 05-04, 05-25, 08-03, 11-30, 12-25, 12-28',
    2027: '01-01, 01-04, 03-26, 05-03, 05-31, 08-02, 11-30, 12-27, 12-28',
    2028: '01-03, 01-04, 04-14, 05-01, 05-29, 08-07, 11-30, 12-25, 12-26',
  };
  // NI = E&W plus St Patrick's Day and the Battle of the Boyne (substitute days where listed).
  const nirExtra: Record<number, string[]> = {
    2025: ['2025-03-17', '2025-07-14'],
    2026: ['2026-03-17', '2026-07-13'],
    2027: ['2027-03-17', '2027-07-12'],
  };
  const us: Record<number, string> = {
    2025: '01-01, 01-20, 02-17, 05-26, 06-19, 07-04, 09-01, 10-13, 11-11, 11-27, 12-25',
    2026: '01-01, 01-19, 02-16, 05-25, 06-19, 07-03, 09-07, 10-12, 11-11, 11-26, 12-25',
    2027: '01-01, 01-18, 02-15, 05-31, 06-18, 07-05, 09-06, 10-11, 11-11, 11-25, 12-24, 12-31',
  };

  for (const [year, list] of Object.entries(ew)) {
    it(`England & Wales ${year}: ${list}`, () => expect(weekdayHolidays('GB-ENG', Number(year))).to.deep.equal(withYear(Number(year), list)));
    it(`Wales ${year} is identical to England`, () => expect(weekdayHolidays('GB-WLS', Number(year))).to.deep.equal(withYear(Number(year), list)));
  }
  for (const [year, list] of Object.entries(sct)) {
    it(`Scotland ${year}: ${list}`, () => expect(weekdayHolidays('GB-SCT', Number(year))).to.deep.equal(withYear(Number(year), list)));
  }
  for (const [year, extra] of Object.entries(nirExtra)) {
    it(`Northern Ireland ${year}: England & Wales plus ${extra.join(', ')}`, () => {
      const expected = [...withYear(Number(year), ew[Number(year)]!), ...extra].sort();
      expect(weekdayHolidays('GB-NIR', Number(year))).to.deep.equal(expected);
    });
  }
  for (const [year, list] of Object.entries(us)) {
    it(`US federal ${year} (observed weekdays): ${list}`, () => expect(weekdayHolidays('US', Number(year))).to.deep.equal(withYear(Number(year), list)));
  }

  const single: [string, string, boolean, string][] = [
    ['GB-ENG', '2026-12-28', true, 'Boxing Day 2026 substitute'],
    ['GB-ENG', '2027-12-27', true, 'Christmas Day 2027 substitute'],
    ['GB-ENG', '2027-12-28', true, 'Boxing Day 2027 substitute'],
    ['GB-ENG', '2028-01-03', true, 'New Year 2028 substitute'],
    ['GB-ENG', '2027-03-26', true, 'Good Friday 2027 (Easter is 28 March)'],
    ['GB-ENG', '2027-04-02', false, 'not Good Friday 2027 (a hand-typed list got this wrong, §4.4)'],
    ['GB-ENG', '2027-03-29', true, 'Easter Monday 2027 in England'],
    ['GB-SCT', '2027-03-29', false, 'no Easter Monday in Scotland'],
    ['GB-SCT', '2027-03-26', true, 'Good Friday 2027 in Scotland'],
    ['GB-SCT', '2027-01-04', true, '2 January 2027 substitute in Scotland'],
    ['GB-ENG', '2027-01-04', false, '4 January 2027 is a working day in England'],
    ['GB-NIR', '2027-03-17', true, 'St Patrick’s Day 2027 in NI'],
    ['GB-ENG', '2027-03-17', false, 'St Patrick’s Day is not an English holiday'],
    ['GB-NIR', '2026-07-13', true, 'Battle of the Boyne 2026 (substitute) in NI'],
    ['GB-ENG', '2026-07-13', false, 'the Boyne is not an English holiday'],
    ['US', '2027-12-31', true, 'New Year 2028 observed on 2027-12-31'],
    ['US', '2026-07-03', true, 'Independence Day 2026 observed on Fri 3 July'],
    ['US', '2027-06-18', true, 'Juneteenth 2027 observed on Fri 18 June'],
    ['US', '2027-12-24', true, 'Christmas 2027 observed on Fri 24 December'],
    // Observances and optional days are not holidays (§4.4 pitfall 1).
    ['GB-ENG', '2026-03-15', false, 'Mother’s Day 2026 is an observance'],
    ['GB-SCT', '2026-03-15', false, 'Mother’s Day 2026 is an observance'],
    ['GB-NIR', '2026-03-15', false, 'Mother’s Day 2026 is an observance'],
    ['US', '2026-12-24', false, 'US Christmas Eve 2026 is optional, not public'],
    ['US', '2026-11-27', false, 'the day after Thanksgiving is not federal'],
    ['US', '2026-04-15', false, 'Tax Day is an observance'],
    ['US', '2026-02-14', false, 'Valentine’s Day is an observance'],
  ];
  for (const [id, date, holiday, why] of single) {
    it(`${id} ${date} is ${holiday ? '' : 'not '}a public holiday (${why})`, () => expect(isPublicHoliday(id, date)).to.equal(holiday));
  }

  it('unionHolidays: a day is a holiday when it is one in any calendar', () => {
    const engSct = unionHolidays(['GB-ENG', 'GB-SCT']);
    expect(engSct('2027-01-04')).to.equal(true); // Scotland only
    expect(engSct('2027-03-29')).to.equal(true); // England only
    expect(engSct('2027-03-30')).to.equal(false);
    expect(unionHolidays(['GB-SCT'])('2027-03-29')).to.equal(false);
  });

  const ids: [string, boolean][] = [
    ['GB-ENG', true],
    ['GB-SCT', true],
    ['GB-WLS', true],
    ['GB-NIR', true],
    ['US', true],
    ['DE', true],
    ['DE-BE', true],
    ['GB-XYZ', false],
    ['XX', false],
    ['gb-eng', false],
    ['GB_ENG', false],
    ['', false],
  ];
  for (const [id, ok] of ids) {
    it(`isHolidayCalendar(${JSON.stringify(id)}) is ${ok}`, () => expect(isHolidayCalendar(id)).to.equal(ok));
  }
});
