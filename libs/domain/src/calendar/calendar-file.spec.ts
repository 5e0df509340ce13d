import { CalendarFileError, parseCalendarYears } from './calendar-file';
import { KZ_CALENDAR } from './kz-calendar.data';
import { WorkingDayCalendar } from './working-days';

/** §2.10 counts working days on this data: a file that overrides it is checked field by field. */
describe('calendar file (LEDGER_CALENDAR_FILE)', () => {
  const year2027 = () => JSON.parse(JSON.stringify(KZ_CALENDAR.find((y) => y.year === 2027)));

  it('reads the built-in calendar back as it is, and a decreed 2027 as a deployment would write it', () => {
    expect(parseCalendarYears(JSON.parse(JSON.stringify(KZ_CALENDAR)))).toEqual(KZ_CALENDAR);
    const decreed = year2027();
    decreed.transfers.push({ dayOff: '2027-01-08', workday: '2027-01-16', source: 'decree (example)' });
    const [parsed] = parseCalendarYears([decreed]);
    const calendar = new WorkingDayCalendar().withOverrides([parsed!]);
    expect(calendar.isWorkingDay('2027-01-08')).toBe(false);
    expect(calendar.isWorkingDay('2027-01-16')).toBe(true);
  });

  it.each<[string, (y: any) => unknown, RegExp]>([
    ['an impossible date', (y) => { y.holidays[0].date = '2027-02-30'; return [y]; }, /calendar\[0\]\.holidays\[0\]\.date: not a calendar date/],
    ['a date without zero padding', (y) => { y.holidays[0].date = '2027-1-1'; return [y]; }, /holidays\[0\]\.date: not a calendar date/],
    ['a holiday in another year', (y) => { y.holidays[0].date = '2026-01-01'; return [y]; }, /holidays\[0\]\.date: 2026-01-01 is not in 2027/],
    ['a moved day off before its holiday', (y) => { y.moved[0].dayOff = '2027-01-01'; return [y]; }, /moved\[0\]\.dayOff: a holiday moves to a later day/],
    ['a transfer onto a weekday', (y) => { y.transfers = [{ dayOff: '2027-01-08', workday: '2027-01-11', source: 'x' }]; return [y]; }, /transfers\[0\]\.workday: 2027-01-11 is not a weekend day/],
    ['a transfer of a weekend day off', (y) => { y.transfers = [{ dayOff: '2027-01-09', workday: '2027-01-16', source: 'x' }]; return [y]; }, /transfers\[0\]\.dayOff: 2027-01-09 is already a weekend day/],
    ['a year listed twice', (y) => [y, year2027()], /calendar\[1\]\.year: 2027 is listed twice/],
    ['an unknown field (a typo)', (y) => { y.holiday = []; return [y]; }, /calendar\[0\]\.holiday: unknown field/],
    ['a missing list', (y) => { delete y.moved; return [y]; }, /calendar\[0\]\.moved: not an array/],
    ['a weekend day out of range', (y) => { y.weekend = [0, 7]; return [y]; }, /weekend\[1\]: not a day of the week/],
    ['a holiday without its source', (y) => { y.holidays[0].source = ''; return [y]; }, /holidays\[0\]\.source: not a non-empty string/],
    ['not an array', () => ({ year: 2027 }), /^calendar: not an array/],
  ])('refuses %s, naming the field', (_, mutate, message) => {
    expect(() => parseCalendarYears(mutate(year2027()))).toThrow(CalendarFileError);
    expect(() => parseCalendarYears(mutate(year2027()))).toThrow(message);
  });
});
