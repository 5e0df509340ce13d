import type { CalendarEntry, CalendarYear, DayTransfer, HolidayMove } from './kz-calendar.data';
import { dayOfWeek, isLocalDate, type LocalDate } from './local-date';

/** A calendar file that cannot be used, with the path of the first bad field. */
export class CalendarFileError extends Error {
  override readonly name = 'CalendarFileError';
}

type Json = Record<string, unknown>;
const fail = (path: string, problem: string): never => {
  throw new CalendarFileError(`${path}: ${problem}`);
};
const object = (v: unknown, path: string): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : fail(path, 'not an object'));
const array = (v: unknown, path: string): unknown[] => (Array.isArray(v) ? v : fail(path, 'not an array'));
const text = (v: unknown, path: string): string => (typeof v === 'string' && v.trim().length > 0 && v.length <= 500 ? v : fail(path, 'not a non-empty string'));
const onlyKeys = (o: Json, keys: readonly string[], path: string) => {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`${path}.${k}`, `unknown field (known: ${keys.join(', ')})`);
};

/**
 * Reads calendar years (LEDGER_CALENDAR_FILE) the way §2.10 deadlines need them: every
 * date a real `YYYY-MM-DD` of the year it is listed under (a moved day off may fall early
 * in the next year), no unknown fields, no year twice, a transfer that swaps a working day
 * for a weekend day. A mistyped date would otherwise shift erasure deadlines in silence.
 */
export function parseCalendarYears(json: unknown): CalendarYear[] {
  const years = array(json, 'calendar');
  const seen = new Set<number>();
  return years.map((raw, i) => {
    const path = `calendar[${i}]`;
    const y = object(raw, path);
    onlyKeys(y, ['year', 'weekend', 'holidays', 'moved', 'transfers'], path);
    const year = y.year;
    if (typeof year !== 'number' || !Number.isInteger(year) || year < 1990 || year > 2200) fail(`${path}.year`, 'not a year between 1990 and 2200');
    if (seen.has(year as number)) fail(`${path}.year`, `${year} is listed twice`);
    seen.add(year as number);
    const weekend = array(y.weekend, `${path}.weekend`).map((d, j) =>
      (typeof d === 'number' && Number.isInteger(d) && d >= 0 && d <= 6 ? d : fail(`${path}.weekend[${j}]`, 'not a day of the week 0 (Sunday) – 6')));
    if (new Set(weekend).size !== weekend.length) fail(`${path}.weekend`, 'a day is listed twice');
    const date = (v: unknown, p: string, years: readonly number[] = [year as number]): LocalDate => {
      if (!isLocalDate(v)) return fail(p, 'not a calendar date YYYY-MM-DD');
      if (!years.includes(Number(v.slice(0, 4)))) fail(p, `${v} is not in ${years.join(' or ')}`);
      return v;
    };
    const holidays = array(y.holidays, `${path}.holidays`).map((h, j): CalendarEntry => {
      const p = `${path}.holidays[${j}]`;
      const o = object(h, p);
      onlyKeys(o, ['date', 'name', 'source'], p);
      return { date: date(o.date, `${p}.date`), name: text(o.name, `${p}.name`), source: text(o.source, `${p}.source`) };
    });
    const moved = array(y.moved, `${path}.moved`).map((m, j): HolidayMove => {
      const p = `${path}.moved[${j}]`;
      const o = object(m, p);
      onlyKeys(o, ['holiday', 'dayOff', 'source'], p);
      const holiday = date(o.holiday, `${p}.holiday`);
      const dayOff = date(o.dayOff, `${p}.dayOff`, [year as number, (year as number) + 1]);
      if (dayOff <= holiday) fail(`${p}.dayOff`, 'a holiday moves to a later day');
      return { holiday, dayOff, source: text(o.source, `${p}.source`) };
    });
    const transfers = array(y.transfers, `${path}.transfers`).map((t, j): DayTransfer => {
      const p = `${path}.transfers[${j}]`;
      const o = object(t, p);
      onlyKeys(o, ['dayOff', 'workday', 'source'], p);
      const dayOff = date(o.dayOff, `${p}.dayOff`);
      const workday = date(o.workday, `${p}.workday`);
      if (weekend.includes(dayOfWeek(dayOff))) fail(`${p}.dayOff`, `${dayOff} is already a weekend day`);
      if (!weekend.includes(dayOfWeek(workday))) fail(`${p}.workday`, `${workday} is not a weekend day to work instead`);
      return { dayOff, workday, source: text(o.source, `${p}.source`) };
    });
    return { year: year as number, weekend, holidays, moved, transfers };
  });
}
