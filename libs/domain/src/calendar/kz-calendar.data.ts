/**
 * The Kazakhstan production calendar, as data (§2.10 counts in working days).
 *
 * Sources:
 * - LAW: Law of the Republic of Kazakhstan "On holidays in the Republic of Kazakhstan"
 *   (13 December 2001, No. 267-II), as amended in 2022 (25 October restored as Republic
 *   Day; 17 December no longer a holiday).
 * - MOVE: Labour Code of the Republic of Kazakhstan — when a holiday falls on a day off,
 *   the next working day is a day off; religious holidays (Orthodox Christmas, Kurban
 *   Ait) are not moved.
 * - KURBAN: the first day of Kurban Ait is set each year by Government decree, on the
 *   date given by the Spiritual Administration of Muslims of Kazakhstan.
 * - DECREE: Government decree on transferring days off for that year.
 *
 * A deployment overrides or extends this with LEDGER_CALENDAR_FILE (same shape, per
 * year). Years not listed are derived from the rules (see working-days.ts), without
 * Kurban Ait or decreed transfers: check and add each new year once it is decreed.
 */
import type { LocalDate } from './local-date';

export interface CalendarEntry {
  readonly date: LocalDate;
  readonly name: string;
  readonly source: string;
}
export interface HolidayMove {
  /** the holiday that fell on a day off */
  readonly holiday: LocalDate;
  /** the working day that became a day off instead */
  readonly dayOff: LocalDate;
  readonly source: string;
}
export interface DayTransfer {
  /** a working day made a day off */
  readonly dayOff: LocalDate;
  /** the weekend day worked instead */
  readonly workday: LocalDate;
  readonly source: string;
}
export interface CalendarYear {
  readonly year: number;
  /** days of the week that are days off, 0 = Sunday */
  readonly weekend: readonly number[];
  readonly holidays: readonly CalendarEntry[];
  readonly moved: readonly HolidayMove[];
  readonly transfers: readonly DayTransfer[];
}

const LAW = 'Law "On holidays in the Republic of Kazakhstan" No. 267-II';
const MOVE = 'Labour Code of the Republic of Kazakhstan: holiday on a day off moves to the next working day';
const KURBAN = 'Government decree for the year (date of Kurban Ait set by the Spiritual Administration of Muslims)';

/** Holidays fixed by date every year: [month-day, name, religious (never moved)]. */
export const FIXED_HOLIDAYS: readonly (readonly [string, string, boolean])[] = [
  ['01-01', 'New Year', false],
  ['01-02', 'New Year', false],
  ['01-07', 'Orthodox Christmas', true],
  ['03-08', "International Women's Day", false],
  ['03-21', 'Nauryz meyrami', false],
  ['03-22', 'Nauryz meyrami', false],
  ['03-23', 'Nauryz meyrami', false],
  ['05-01', 'Day of Unity of the People of Kazakhstan', false],
  ['05-07', 'Defender of the Fatherland Day', false],
  ['05-09', 'Victory Day', false],
  ['07-06', 'Capital Day', false],
  ['08-30', 'Constitution Day', false],
  ['10-25', 'Republic Day', false],
  ['12-16', 'Independence Day', false],
];

const fixed = (year: number): CalendarEntry[] =>
  FIXED_HOLIDAYS.map(([md, name]) => ({ date: `${year}-${md}`, name, source: LAW }));

export const KZ_CALENDAR: readonly CalendarYear[] = [
  {
    year: 2025,
    weekend: [0, 6],
    holidays: [...fixed(2025), { date: '2025-06-06', name: 'Kurban Ait', source: KURBAN }],
    moved: [
      { holiday: '2025-03-08', dayOff: '2025-03-10', source: MOVE },
      { holiday: '2025-03-22', dayOff: '2025-03-24', source: MOVE },
      { holiday: '2025-03-23', dayOff: '2025-03-25', source: MOVE },
      { holiday: '2025-07-06', dayOff: '2025-07-07', source: MOVE },
      { holiday: '2025-08-30', dayOff: '2025-09-01', source: MOVE },
      { holiday: '2025-10-25', dayOff: '2025-10-27', source: MOVE },
    ],
    transfers: [
      {
        dayOff: '2025-01-03',
        workday: '2025-01-05',
        source: 'Government decree on transferring days off in 2025 (Sunday 5 January to Friday 3 January)',
      },
    ],
  },
  {
    // Checked (2026-11-25) against the official 2026 calendar of holidays and days off
    // published on the e-government portal: these six moved days off, Kurban Ait on
    // 27 May, and no decreed transfer (1–4 January needed none: 3–4 January is a weekend).
    year: 2026,
    weekend: [0, 6],
    holidays: [...fixed(2026), { date: '2026-05-27', name: 'Kurban Ait', source: KURBAN }],
    moved: [
      { holiday: '2026-03-08', dayOff: '2026-03-09', source: MOVE },
      { holiday: '2026-03-21', dayOff: '2026-03-24', source: MOVE },
      { holiday: '2026-03-22', dayOff: '2026-03-25', source: MOVE },
      { holiday: '2026-05-09', dayOff: '2026-05-11', source: MOVE },
      { holiday: '2026-08-30', dayOff: '2026-08-31', source: MOVE },
      { holiday: '2026-10-25', dayOff: '2026-10-26', source: MOVE },
    ],
    transfers: [],
  },
  {
    // Not yet decreed (expected December 2026): Kurban Ait is the provisional date from
    // the lunar calendar, and the year's decreed transfers are still to be added.
    year: 2027,
    weekend: [0, 6],
    holidays: [...fixed(2027), { date: '2027-05-16', name: 'Kurban Ait (provisional)', source: KURBAN }],
    moved: [
      { holiday: '2027-01-02', dayOff: '2027-01-04', source: MOVE },
      { holiday: '2027-03-21', dayOff: '2027-03-24', source: MOVE },
      { holiday: '2027-05-01', dayOff: '2027-05-03', source: MOVE },
      { holiday: '2027-05-09', dayOff: '2027-05-10', source: MOVE },
    ],
    transfers: [],
  },
];
