import { FIXED_HOLIDAYS, KZ_CALENDAR, type CalendarYear, type HolidayMove } from './kz-calendar.data';
import { addDays, dayOfWeek, dayOfWeekOf, fromDayNumber, toDayNumber, yearOfDayNumber, type LocalDate } from './local-date';

const DERIVED_SOURCE = 'derived from the holiday law and the Labour Code move rule (no Kurban Ait, no decrees)';

/**
 * A year the data does not list, built from the rules alone: fixed holidays, and a
 * non-religious holiday falling on a day off moves to the next free working day.
 * Kurban Ait (lunar) and decreed transfers cannot be derived, so a derived year has
 * slightly more working days than the real one: deadlines computed on it fall a little
 * earlier, never later, than the law's.
 */
export function deriveCalendarYear(year: number): CalendarYear {
  const weekend = [0, 6];
  const holidays = FIXED_HOLIDAYS.map(([md, name, religious]) => ({ date: `${year}-${md}`, name, religious }));
  const holidayDates = new Set(holidays.map((h) => h.date));
  const taken = new Set<LocalDate>();
  const moved: HolidayMove[] = [];
  for (const h of holidays) {
    if (h.religious || !weekend.includes(dayOfWeek(h.date))) continue;
    let d = addDays(h.date, 1);
    while (weekend.includes(dayOfWeek(d)) || holidayDates.has(d) || taken.has(d)) d = addDays(d, 1);
    taken.add(d);
    moved.push({ holiday: h.date, dayOff: d, source: DERIVED_SOURCE });
  }
  return {
    year,
    weekend,
    holidays: holidays.map(({ date, name }) => ({ date, name, source: DERIVED_SOURCE })),
    moved,
    transfers: [],
  };
}

/** A year's data as day numbers, for counting days without building date strings. */
interface IndexedYear {
  readonly data: CalendarYear;
  readonly derived: boolean;
  readonly first: number;
  readonly last: number;
  readonly weekend: ReadonlySet<number>;
  readonly daysOff: ReadonlySet<number>;
  readonly workedWeekendDays: ReadonlySet<number>;
}

/**
 * Kazakhstan working days (§2.10), from calendar data. Pure: the same data gives the
 * same answers on any machine; years are indexed lazily and kept.
 */
export class WorkingDayCalendar {
  private readonly explicit = new Map<number, CalendarYear>();
  private readonly indexed = new Map<number, IndexedYear>();
  /** the year the last day asked about fell in: deadlines count through one or two years */
  private recent: IndexedYear | undefined;

  constructor(years: readonly CalendarYear[] = KZ_CALENDAR) {
    for (const y of years) this.explicit.set(y.year, y);
  }

  /** A calendar with some years replaced or added (LEDGER_CALENDAR_FILE). */
  withOverrides(years: readonly CalendarYear[]): WorkingDayCalendar {
    return new WorkingDayCalendar([...this.explicit.values(), ...years].filter(
      (y, i, all) => all.findLastIndex((o) => o.year === y.year) === i,
    ));
  }

  year(year: number): IndexedYear {
    let y = this.indexed.get(year);
    if (!y) {
      const listed = this.explicit.get(year);
      const data = listed ?? deriveCalendarYear(year);
      const daysOff = new Set([
        ...data.holidays.map((h) => h.date),
        ...data.moved.map((m) => m.dayOff),
        ...data.transfers.map((t) => t.dayOff),
      ].map(toDayNumber));
      y = {
        data,
        derived: !listed,
        first: toDayNumber(`${String(year).padStart(4, '0')}-01-01`),
        last: toDayNumber(`${String(year).padStart(4, '0')}-12-31`),
        weekend: new Set(data.weekend),
        daysOff,
        workedWeekendDays: new Set(data.transfers.map((t) => toDayNumber(t.workday))),
      };
      this.indexed.set(year, y);
    }
    return y;
  }

  /** Whether the year comes from the decreed data or was derived from the rules. */
  coverage(year: number): 'data' | 'derived' {
    return this.year(year).derived ? 'derived' : 'data';
  }

  isWorkingDay(date: LocalDate): boolean {
    return this.isWorkingDayNumber(toDayNumber(date));
  }

  private isWorkingDayNumber(day: number): boolean {
    let y = this.recent;
    if (!y || day < y.first || day > y.last) y = this.recent = this.year(yearOfDayNumber(day));
    if (y.workedWeekendDays.has(day)) return true;
    if (y.weekend.has(dayOfWeekOf(day))) return false;
    return !y.daysOff.has(day);
  }

  /**
   * The `n`-th working day after `date`. Counting starts the day after the event, as the
   * Civil Code counts periods; the day of the event itself never counts.
   */
  addWorkingDays(date: LocalDate, n: number): LocalDate {
    if (!Number.isInteger(n) || n < 1) throw new RangeError('n must be a positive integer');
    let day = toDayNumber(date);
    for (let counted = 0; counted < n; ) {
      day++;
      if (this.isWorkingDayNumber(day)) counted++;
    }
    return fromDayNumber(day);
  }

  /** Working days in (from, to]. */
  workingDaysBetween(from: LocalDate, to: LocalDate): number {
    const last = toDayNumber(to);
    let count = 0;
    for (let day = toDayNumber(from) + 1; day <= last; day++) if (this.isWorkingDayNumber(day)) count++;
    return count;
  }
}
