/**
 * Calendar dates in Kazakhstan, as `YYYY-MM-DD` strings. Arithmetic runs on UTC
 * midnights, so it is free of the host's time zone and of daylight saving.
 */
export type LocalDate = string;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * Kazakhstan keeps one time zone, UTC+5, since 1 March 2024 (Government decree on the
 * unified time zone). Deadlines are counted in Kazakhstan calendar days.
 */
export const KZ_UTC_OFFSET_MINUTES = 5 * 60;

export function isLocalDate(value: unknown): value is LocalDate {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

const toUtc = (date: LocalDate): number => {
  if (!isLocalDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  return Date.parse(`${date}T00:00:00Z`);
};
const fromUtc = (ms: number): LocalDate => new Date(ms).toISOString().slice(0, 10);

export const addDays = (date: LocalDate, days: number): LocalDate => fromUtc(toUtc(date) + days * DAY_MS);

/**
 * Day numbers (days since 1970-01-01) let a loop over days run on integers: the working-day
 * calendar converts a date once, counts, and converts back once.
 */
export const toDayNumber = (date: LocalDate): number => toUtc(date) / DAY_MS;
export const fromDayNumber = (day: number): LocalDate => fromUtc(day * DAY_MS);
/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday */
export const dayOfWeekOf = (day: number): number => (((day + 4) % 7) + 7) % 7;
export const yearOfDayNumber = (day: number): number => new Date(day * DAY_MS).getUTCFullYear();

/** 0 = Sunday … 6 = Saturday */
export const dayOfWeek = (date: LocalDate): number => new Date(toUtc(date)).getUTCDay();

export const yearOf = (date: LocalDate): number => Number(date.slice(0, 4));

export const compareDates = (a: LocalDate, b: LocalDate): number => (a < b ? -1 : a > b ? 1 : 0);

export const daysBetween = (from: LocalDate, to: LocalDate): number => Math.round((toUtc(to) - toUtc(from)) / DAY_MS);

/**
 * Adds whole years; 29 February lands on 28 February in a common year, so a period
 * never ends later than the law allows.
 */
export function addYears(date: LocalDate, years: number): LocalDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y + years, m - 1, d));
  if (target.getUTCMonth() !== m - 1) target.setUTCDate(0); // rolled into March: clamp
  return fromUtc(target.getTime());
}

/** The Kazakhstan calendar date of an instant. */
export const kzDateOf = (instant: Date): LocalDate =>
  fromUtc(instant.getTime() + KZ_UTC_OFFSET_MINUTES * 60_000);

/** The instant a Kazakhstan calendar date begins. */
export const kzStartOf = (date: LocalDate): Date => new Date(toUtc(date) - KZ_UTC_OFFSET_MINUTES * 60_000);
