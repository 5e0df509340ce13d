import { EVENT_REGISTRY, NewerSchemaVersionError, toDomainEvent, UnknownEventTypeError, UnreadableHistoryError } from './registry';

describe('event registry', () => {
  it('reads a version-1 AgreementResumed as it was written (version 2 only added a reason, §2.7)', () => {
    expect(EVENT_REGISTRY.AgreementResumed.schemaVersion).toBe(2);
    const v1 = { reason: 'withdrawal-retracted', withdrawalId: 'w1' };
    expect(toDomainEvent('AgreementResumed', 1, v1)).toEqual({ type: 'AgreementResumed', data: v1 });
  });

  it('refuses an event written by a newer build instead of guessing its shape', () => {
    expect(() => toDomainEvent('ConsentGranted', 2, {})).toThrow(new NewerSchemaVersionError('ConsentGranted', 2, 1));
    expect(() => toDomainEvent('ConsentGranted', 2, {})).toThrow(UnreadableHistoryError);
    expect(() => toDomainEvent('ConsentGranted', 2, {})).toThrow('ConsentGranted has schema version 2, newer than this build reads (1)');
  });

  it('refuses an unknown event type', () => {
    expect(() => toDomainEvent('ConsentGrantd', 1, {})).toThrow(UnknownEventTypeError);
    expect(() => toDomainEvent('ConsentGrantd', 1, {})).toThrow(UnreadableHistoryError);
  });
});
