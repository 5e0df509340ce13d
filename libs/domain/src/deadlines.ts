import { addDays, addYears, kzDateOf, kzStartOf, type LocalDate } from './calendar/local-date';
import type { WorkingDayCalendar } from './calendar/working-days';

/** §2.10 — personal data is destroyed within 30 working days of the withdrawal. */
export const ERASURE_WORKING_DAYS = 30;
/** §2.6 — stored for three years after the user agreement ends. */
export const RETENTION_YEARS = 3;
/** §1.4 — a published change is deemed accepted after 7 calendar days of continued use. */
export const IMPLIED_ACCEPTANCE_CALENDAR_DAYS = 7;
/** Law 94-V — a breach is notified to the authorised body within one working day. */
export const BREACH_NOTIFICATION_WORKING_DAYS = 1;

/**
 * §2.10 — the last day on which the data may still exist, and the last day on which
 * the subject may retract the withdrawal: the 30th Kazakhstan working day after the day
 * the application was received.
 */
export const erasureDueDate = (receivedOn: LocalDate, calendar: WorkingDayCalendar): LocalDate =>
  calendar.addWorkingDays(receivedOn, ERASURE_WORKING_DAYS);

/** §2.6 — the last day of retention after the agreement ended. */
export const retentionEndDate = (agreementEndedOn: LocalDate): LocalDate => addYears(agreementEndedOn, RETENTION_YEARS);

/**
 * §1.4 — the first instant at which continued use counts as acceptance. The 7 calendar
 * days run from the day after publication (Kazakhstan dates) and must have passed in
 * full: published on day D, implied acceptance is possible from the start of D + 8.
 * This is the later of the readings, so no one is bound earlier than the policy allows.
 */
export const impliedAcceptanceFrom = (publishedAt: Date): Date =>
  kzStartOf(addDays(kzDateOf(publishedAt), IMPLIED_ACCEPTANCE_CALENDAR_DAYS + 1));

/** Law 94-V (from 1 July 2024) — the authorised body is told by the end of this day. */
export const breachNotificationDue = (detectedAt: Date, calendar: WorkingDayCalendar): LocalDate =>
  calendar.addWorkingDays(kzDateOf(detectedAt), BREACH_NOTIFICATION_WORKING_DAYS);
