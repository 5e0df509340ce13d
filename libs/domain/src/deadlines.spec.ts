import fc from 'fast-check';
import { addDays, kzDateOf, kzStartOf } from './calendar/local-date';
import { WorkingDayCalendar } from './calendar/working-days';
import { breachNotificationDue, erasureDueDate, impliedAcceptanceFrom, retentionEndDate } from './deadlines';

const calendar = new WorkingDayCalendar();

describe('deadlines', () => {
  it('§2.10: erasure is due on the 30th working day after receipt, skipping Nauryz 2026', () => {
    // received Mon 2026-03-02. Working days: 3–6 Mar (4), 9 Mar off (8 March moved),
    // 10–13 (8), 16–20 (13), 23 Mar Nauryz, 24–25 moved, 26–27 (15), 30 Mar–3 Apr (20),
    // 6–10 Apr (25), 13–17 Apr (30).
    expect(erasureDueDate('2026-03-02', calendar)).toBe('2026-04-17');
  });

  it('§2.10: counting starts the day after receipt, so Friday and weekend receipts share a due date', () => {
    const friday = erasureDueDate('2026-11-27', calendar);
    expect(erasureDueDate('2026-11-28', calendar)).toBe(friday);
    expect(erasureDueDate('2026-11-29', calendar)).toBe(friday);
    expect(calendar.workingDaysBetween(erasureDueDate('2026-11-26', calendar), friday)).toBe(1);
  });

  it('§2.6: retention ends three years after the agreement ends', () => {
    expect(retentionEndDate('2026-11-25')).toBe('2029-11-25');
  });

  it('§1.4: implied acceptance only after 7 full calendar days since publication (Kazakhstan dates)', () => {
    // published 2026-11-02 10:00 in Almaty → acceptance from 2026-11-10 00:00 Almaty
    const publishedAt = new Date('2026-11-02T05:00:00Z');
    expect(impliedAcceptanceFrom(publishedAt).toISOString()).toBe('2026-11-09T19:00:00.000Z');
  });

  it('property §1.4: never less than 7 × 24 h, never more than 8 × 24 h after publication', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2024-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }), (p) => {
        const from = impliedAcceptanceFrom(p).getTime();
        expect(from - p.getTime()).toBeGreaterThan(7 * 86_400_000);
        expect(from - p.getTime()).toBeLessThanOrEqual(8 * 86_400_000);
      }),
    );
  });

  it('property §2.10: the due date is a working day, later than receipt, and 30 working days on', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 4 }), (n) => {
        const received = addDays('2025-01-01', n);
        const due = erasureDueDate(received, calendar);
        expect(calendar.isWorkingDay(due)).toBe(true);
        expect(calendar.workingDaysBetween(received, due)).toBe(30);
      }),
    );
  });

  it('Law 94-V: a breach detected on a Friday is notified by Monday', () => {
    expect(breachNotificationDue(kzStartOf('2026-11-27'), calendar)).toBe('2026-11-30');
    expect(kzDateOf(kzStartOf('2026-11-27'))).toBe('2026-11-27');
  });
});
