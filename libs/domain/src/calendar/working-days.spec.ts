import fc from 'fast-check';
import { KZ_CALENDAR } from './kz-calendar.data';
import { addDays, addYears, dayOfWeek, dayOfWeekOf, daysBetween, fromDayNumber, isLocalDate, kzDateOf, kzStartOf, toDayNumber, yearOfDayNumber } from './local-date';
import { deriveCalendarYear, WorkingDayCalendar } from './working-days';

const calendar = new WorkingDayCalendar();
/** Dates from 2024 to 2030: both listed and derived years. */
const dateArb = fc.integer({ min: 0, max: 365 * 7 }).map((n) => addDays('2024-01-01', n));

describe('Kazakhstan working-day calendar (§2.10)', () => {
  it('knows the 2026 days off: weekends, holidays, moved holidays', () => {
    expect(calendar.isWorkingDay('2026-01-01')).toBe(false); // New Year
    expect(calendar.isWorkingDay('2026-01-07')).toBe(false); // Orthodox Christmas
    expect(calendar.isWorkingDay('2026-03-09')).toBe(false); // 8 March fell on Sunday
    expect(calendar.isWorkingDay('2026-03-24')).toBe(false); // Nauryz moved
    expect(calendar.isWorkingDay('2026-03-25')).toBe(false); // Nauryz moved
    expect(calendar.isWorkingDay('2026-03-26')).toBe(true);
    expect(calendar.isWorkingDay('2026-05-27')).toBe(false); // Kurban Ait
    expect(calendar.isWorkingDay('2026-11-28')).toBe(false); // Saturday
    expect(calendar.isWorkingDay('2026-11-27')).toBe(true);
  });

  it('makes a decreed weekend workday a working day (2025-01-05 for 2025-01-03)', () => {
    expect(calendar.isWorkingDay('2025-01-05')).toBe(true);
    expect(calendar.isWorkingDay('2025-01-03')).toBe(false);
  });

  it('lists every moved holiday from a day off to a weekday that is not itself a holiday', () => {
    for (const y of KZ_CALENDAR) {
      const holidays = new Set(y.holidays.map((h) => h.date));
      for (const m of y.moved) {
        expect(y.weekend).toContain(dayOfWeek(m.holiday));
        expect(y.weekend).not.toContain(dayOfWeek(m.dayOff));
        expect(holidays.has(m.dayOff)).toBe(false);
        expect(m.dayOff > m.holiday).toBe(true);
      }
    }
  });

  it('agrees with the rules wherever the rules can speak (all but Kurban Ait and decrees)', () => {
    for (const y of KZ_CALENDAR) {
      const derived = deriveCalendarYear(y.year);
      expect(derived.moved.map((m) => [m.holiday, m.dayOff])).toEqual(y.moved.map((m) => [m.holiday, m.dayOff]));
      const listed = y.holidays.filter((h) => !h.name.startsWith('Kurban')).map((h) => h.date);
      expect(derived.holidays.map((h) => h.date)).toEqual(listed);
    }
  });

  it('says which years come from data and which are derived', () => {
    expect(calendar.coverage(2026)).toBe('data');
    expect(calendar.coverage(2031)).toBe('derived');
  });

  it('lets configuration replace a year', () => {
    const custom = calendar.withOverrides([{ year: 2026, weekend: [0, 6], holidays: [], moved: [], transfers: [] }]);
    expect(custom.isWorkingDay('2026-01-01')).toBe(true);
    expect(calendar.isWorkingDay('2026-01-01')).toBe(false);
  });

  it('property: counting on day numbers agrees with the data read date by date (a reference kept apart from the class)', () => {
    // the calendar counts on integers; the reference walks date strings and reads the
    // year's data as it is written: decreed workdays, then the weekend, then days off
    const yearData = (date: string) => KZ_CALENDAR.find((y) => y.year === Number(date.slice(0, 4))) ?? deriveCalendarYear(Number(date.slice(0, 4)));
    const isWorkingDayRef = (date: string) => {
      const y = yearData(date);
      if (y.transfers.some((t) => t.workday === date)) return true;
      if (y.weekend.includes(dayOfWeek(date))) return false;
      return ![...y.holidays.map((h) => h.date), ...y.moved.map((m) => m.dayOff), ...y.transfers.map((t) => t.dayOff)].includes(date);
    };
    const addWorkingDaysRef = (date: string, n: number) => {
      let d = date;
      for (let counted = 0; counted < n;) {
        d = addDays(d, 1);
        if (isWorkingDayRef(d)) counted++;
      }
      return d;
    };
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 1, max: 60 }), (d, n) => {
        expect(calendar.isWorkingDay(d)).toBe(isWorkingDayRef(d));
        expect(calendar.addWorkingDays(d, n)).toBe(addWorkingDaysRef(d, n));
      }),
      { numRuns: 500 },
    );
  });

  it('day numbers: weekday, year and round trip agree with the date strings', () => {
    fc.assert(fc.property(fc.integer({ min: -25_567, max: 2_932_896 }) /* 1900-01-01 … 9999-12-31 */, (n) => {
      const date = fromDayNumber(n);
      expect(toDayNumber(date)).toBe(n);
      expect(dayOfWeekOf(n)).toBe(dayOfWeek(date));
      expect(yearOfDayNumber(n)).toBe(Number(date.slice(0, 4)));
    }));
  });

  it('property: the n-th working day after d is a working day, with exactly n working days in (d, result]', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 1, max: 60 }), (d, n) => {
        const r = calendar.addWorkingDays(d, n);
        expect(calendar.isWorkingDay(r)).toBe(true);
        expect(calendar.workingDaysBetween(d, r)).toBe(n);
        expect(calendar.workingDaysBetween(d, addDays(r, -1))).toBe(n - 1);
      }),
    );
  });

  it('property: working-day deadlines are monotonic and never shorter than n calendar days', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 40 }), (d, gap, n) => {
        const later = addDays(d, gap);
        expect(calendar.addWorkingDays(later, n) >= calendar.addWorkingDays(d, n)).toBe(true);
        // at least n days; a year has under 20 days off besides weekends, so ≤ 2n + 20
        const span = daysBetween(d, calendar.addWorkingDays(d, n));
        expect(span).toBeGreaterThanOrEqual(n);
        expect(span).toBeLessThanOrEqual(2 * n + 20);
      }),
    );
  });

  it('property: a derived year never has fewer working days than the real one would (no later deadline)', () => {
    fc.assert(
      fc.property(fc.constantFrom(2025, 2026, 2027), (year) => {
        const listed = new WorkingDayCalendar(KZ_CALENDAR);
        const derivedOnly = new WorkingDayCalendar([]);
        const start = `${year}-01-01`;
        expect(derivedOnly.workingDaysBetween(start, `${year}-12-31`)).toBeGreaterThanOrEqual(
          listed.workingDaysBetween(start, `${year}-12-31`) - KZ_CALENDAR.find((y) => y.year === year)!.transfers.length,
        );
      }),
    );
  });
});

describe('calendar dates', () => {
  it('property: addYears lands on a real date no later than the same day-of-year', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 1, max: 5 }), (d, n) => {
        const r = addYears(d, n);
        expect(isLocalDate(r)).toBe(true);
        expect(r.slice(5) <= d.slice(5) || d.slice(5) === '02-29').toBe(true);
        expect(Number(r.slice(0, 4)) - Number(d.slice(0, 4))).toBe(n);
      }),
    );
    expect(addYears('2024-02-29', 3)).toBe('2027-02-28');
  });

  it('reads instants in Kazakhstan time (UTC+5)', () => {
    expect(kzDateOf(new Date('2026-03-01T18:59:59Z'))).toBe('2026-03-01');
    expect(kzDateOf(new Date('2026-03-01T19:00:00Z'))).toBe('2026-03-02');
    expect(kzStartOf('2026-03-02').toISOString()).toBe('2026-03-01T19:00:00.000Z');
  });

  it('property: kzStartOf and kzDateOf are inverse', () => {
    fc.assert(fc.property(dateArb, (d) => expect(kzDateOf(kzStartOf(d))).toBe(d)));
  });
});
