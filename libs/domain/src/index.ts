/**
 * @ledger/domain — the privacy policy as pure TypeScript: vocabulary, deadlines, the
 * Kazakhstan working-day calendar, and the deciders of every stream. No Nest, no I/O,
 * no clock: time and ids arrive with each command.
 */
export * from './policy/vocabulary';
export * from './errors';
export * from './ids';
export * from './sealed';
export * from './decider';
export * from './calendar/local-date';
export * from './calendar/kz-calendar.data';
export * from './calendar/working-days';
export * from './calendar/calendar-file';
export * from './deadlines';
export * from './subject/subject.events';
export * from './subject/subject.commands';
export * from './subject/subject.decider';
export * from './policy-versions/policy.decider';
export * from './recipients/recipient.decider';
export * from './events/registry';
