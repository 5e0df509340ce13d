import type { SubjectEvent } from '@ledger/domain';

/** One of every published internal event, in an order the decider would write them. */
export const CONTRACT_HISTORY: SubjectEvent[] = [
  { type: 'ConsentGranted', data: { consentId: 'c', purposes: ['service-provision'], categories: ['email-address'], basis: 'consent', policyVersion: '2026-01', channel: 'web', thirdPartyTransfer: true, crossBorderTransfer: true, publication: false, validUntil: null, grantedAt: '2026-03-01T00:00:00.000Z' } },
  { type: 'PolicyAccepted', data: { policyVersion: '2026-01', mode: 'explicit', acceptedAt: '2026-03-01T00:00:00.000Z', clause: '§1.4' } },
  { type: 'PersonalDataRecorded', data: { category: 'email-address', source: 'subject', value: { alg: 'A256GCM', v: 1, iv: 'aXY=', ct: 'Y3Q=', tag: 'dGFn' }, action: 'recorded' } },
  { type: 'TransferRecorded', data: { transferId: 't1', recipientId: 'de-processor', recipientCountry: 'DE', crossBorder: true, purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: '2026-03-01T00:00:00.000Z' } },
  { type: 'WithdrawalRefused', data: { withdrawalId: 'w0', purposes: 'all', receivedOn: '2026-03-01', reason: 'open-obligation', clause: '§2.8' } },
  { type: 'ConsentWithdrawn', data: { withdrawalId: 'w1', purposes: ['service-provision'], receivedOn: '2026-03-02', retractableUntil: '2026-04-17' } },
  { type: 'ErasureScheduled', data: { erasureId: 'e1', reason: 'consent-withdrawn', withdrawalId: 'w1', receivedOn: '2026-03-02', dueOn: '2026-04-17', clause: '§2.10' } },
  { type: 'WithdrawalRetracted', data: { withdrawalId: 'w1', purposes: ['service-provision'], retractedOn: '2026-03-03', via: 'sign-in' } },
  { type: 'ErasureCancelled', data: { erasureId: 'e1', reason: 'withdrawal-retracted', clause: '§2.10' } },
  { type: 'ErasureScheduled', data: { erasureId: 'e1x', reason: 'basis-expired', withdrawalId: null, receivedOn: '2026-03-03', dueOn: '2026-04-20', clause: '§2.10' } },
  { type: 'ConsentGranted', data: { consentId: 'c2', purposes: ['service-provision'], categories: ['email-address'], basis: 'consent', policyVersion: '2026-01', channel: 'web', thirdPartyTransfer: true, crossBorderTransfer: true, publication: false, validUntil: '2027-03-04', grantedAt: '2026-03-04T00:00:00.000Z' } },
  { type: 'ErasureCancelled', data: { erasureId: 'e1x', reason: 'basis-renewed', clause: '§2.10' } },
  { type: 'ConsentWithdrawn', data: { withdrawalId: 'w2', purposes: ['service-provision'], receivedOn: '2026-03-02', retractableUntil: '2026-04-17' } },
  { type: 'ErasureScheduled', data: { erasureId: 'e2', reason: 'consent-withdrawn', withdrawalId: 'w2', receivedOn: '2026-03-02', dueOn: '2026-04-17', clause: '§2.10' } },
  // §2.5 — a demand received earlier (recorded late) supersedes the erasure due later
  { type: 'DestructionDemanded', data: { demandId: 'd1', receivedOn: '2026-02-16', erasureId: 'e3', clause: '§2.5' } },
  { type: 'ErasureCancelled', data: { erasureId: 'e2', reason: 'superseded', clause: '§2.10' } },
  { type: 'ErasureScheduled', data: { erasureId: 'e3', reason: 'destruction-demanded', withdrawalId: null, receivedOn: '2026-02-16', dueOn: '2026-04-03', clause: '§2.10' } },
  { type: 'ErasureStarted', data: { erasureId: 'e3', startedAt: '2026-04-18T00:00:00.000Z', awaiting: ['crm'], clause: '§2.10' } },
  { type: 'DataKeyShredded', data: { erasureId: 'e3', shreddedAt: '2026-04-18T00:00:00.000Z', clause: '§2.10' } },
  { type: 'ErasureOverdue', data: { erasureId: 'e3', dueOn: '2026-04-03', detectedOn: '2026-04-21', missing: ['crm'], clause: '§2.10' } },
  { type: 'ErasureCompleted', data: { erasureId: 'e3', completedAt: '2026-04-22T00:00:00.000Z', clause: '§2.10' } },
];
