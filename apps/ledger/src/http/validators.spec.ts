import fc from 'fast-check';
import { instantOf, isInstant, isInstantOrDate } from './validators';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `instant` written as RFC 3339 in the zone `offsetMinutes` east of UTC, to the second. */
function inZone(instant: Date, offsetMinutes: number): string {
  const local = new Date(instant.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = offsetMinutes === 0 ? 'Z' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${offset}`;
}

const instants = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9998-12-31T00:00:00Z'), noInvalidDate: true });
/** real offsets run from −12:00 to +14:00, in steps of 15 minutes */
const offsets = fc.integer({ min: -48, max: 56 }).map((q) => q * 15);

describe('instants in requests (RFC 3339, offset required; API 1.25.0)', () => {
  it('takes any instant written in any zone, and means that instant', () => {
    fc.assert(fc.property(instants, offsets, (instant, offset) => {
      const text = inZone(instant, offset);
      expect(isInstant(text)).toBe(true);
      expect(instantOf(text)).toBe(new Date(Math.floor(instant.getTime() / 1000) * 1000).toISOString());
    }));
  });

  it('takes what toISOString writes, and the shorter and finer forms RFC 3339 allows', () => {
    fc.assert(fc.property(instants, (instant) => isInstant(instant.toISOString())));
    for (const ok of ['2026-11-25T09:00Z', '2026-11-25T09:00:00.123456789+05:00', '2026-02-28T23:59:59-12:00', '2028-02-29T00:00:00Z']) expect(isInstant(ok)).toBe(true);
  });

  it('refuses ISO 8601 forms that are not instants, times without an offset, and dates or times that do not exist', () => {
    for (const bad of [
      '2026-329', '2026-W48-3', '2026-W48', '2026-11', '2026', '2026-11-25', // no time of day (week and ordinal dates answered 500 before 1.25.0)
      '2026-11-25T09:00:00', '2026-11-25T09:00', // no offset: the server's own zone
      '2026-11-25 09:00:00Z', '2026-11-25t09:00:00z', '20261125T090000Z', // not RFC 3339's spelling
      '2026-02-30T00:00:00Z', '2027-02-29T00:00:00Z', '2026-11-25T24:00Z', '2026-11-25T23:60Z', '2026-11-25T23:59:60Z', '2026-11-25T09:00:00+24:00',
      ' 2026-11-25T09:00:00Z', '2026-11-25T09:00:00Z\n', 20261125, null,
    ]) expect([bad, isInstant(bad)]).toEqual([bad, false]);
  });

  it('reads a date as a range bound: the start of that day in Kazakhstan (UTC+5)', () => {
    expect(isInstantOrDate('2026-11-25')).toBe(true);
    expect(instantOf('2026-11-25')).toBe('2026-11-24T19:00:00.000Z');
    expect(isInstantOrDate('2026-02-30')).toBe(false);
    expect(isInstantOrDate('2026-W48')).toBe(false);
    // a bound written either way is compared as the instant it means
    fc.assert(fc.property(instants, offsets, (instant, offset) => {
      const text = inZone(instant, offset);
      return instantOf(text) === instantOf(inZone(instant, 0));
    }));
  });
});
