import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pseudonymiser } from '@ledger/crypto';
import { canonical, EVENT_STORE, verifyChain, type EventMetadata, type EventStore } from '@ledger/event-store';
import { ErasureScheduler } from '../src/erasure/erasure-scheduler';
import { grantBody, seedReferenceData, startLedger, type Ledger } from './harness';

describe('subject lifecycle through HTTP', () => {
  let l: Ledger;
  beforeEach(async () => {
    l = await startLedger();
    await seedReferenceData(l);
  });
  afterEach(() => l.close());

  it('grant → data → transfer → withdrawal schedules erasure 30 working days out → retraction cancels it (§2.10)', async () => {
    expect((await l.command('service', '/v1/subjects/u-1/consents', grantBody())).status).toBe(201);
    expect((await l.command('service', '/v1/subjects/u-1/personal-data', { category: 'email-address', source: 'subject', value: 'a@b.kz' })).status).toBe(201);
    const transfer = await l.command('service', '/v1/subjects/u-1/transfers', {
      recipientId: 'kz-partner', purpose: 'service-provision', categories: ['email-address'], form: 'pseudonymised', transferredAt: '2026-11-25T05:00:00Z',
    });
    expect(transfer.status).toBe(201);
    expect(transfer.body.events[0].data).toMatchObject({ crossBorder: false, recipientCountry: 'KZ' });

    const withdrawal = await l.command('service', '/v1/subjects/u-1/consent-withdrawals', { purposes: 'all', receivedOn: '2026-11-25' });
    expect(withdrawal.status).toBe(201);
    expect(withdrawal.body.events.map((e: { type: string }) => e.type)).toEqual(['ConsentWithdrawn', 'AgreementSuspended', 'ErasureScheduled']);
    // 25 Nov 2026 + 30 Kazakhstan working days: 16 Dec, 1–2 Jan and 7 Jan are holidays
    expect(withdrawal.body.events[2].data.dueOn).toBe('2027-01-12');

    const state = await l.read('service', '/v1/subjects/u-1');
    expect(state.body).toMatchObject({ agreement: { state: 'suspended' }, openErasure: { dueOn: '2027-01-12', status: 'scheduled' } });

    l.clock.set('2027-01-12T12:00:00Z'); // the last day, 17:00 in Almaty
    const retraction = await l.command('service', '/v1/subjects/u-1/withdrawal-retractions', { retractedOn: '2027-01-12', via: 'sign-in' });
    expect(retraction.status).toBe(201);
    expect(retraction.body.events.map((e: { type: string }) => e.type)).toEqual(['WithdrawalRetracted', 'AgreementResumed', 'ErasureCancelled']);
    expect((await l.read('service', '/v1/subjects/u-1')).body).toMatchObject({ openErasure: null, agreement: { state: 'active' } });
  });

  it('consenting to the service again resumes an agreement a withdrawal suspended (§2.7)', async () => {
    await l.command('service', '/v1/subjects/u-13/consents', grantBody());
    await l.command('service', '/v1/subjects/u-13/consents', grantBody({ purposes: ['legal-compliance'], basis: 'legal-obligation' }));
    const withdrawal = await l.command('service', '/v1/subjects/u-13/consent-withdrawals', { purposes: ['service-provision'], receivedOn: '2026-11-25' });
    // the legal obligation still holds the data: suspended, no erasure
    expect(withdrawal.body.events.map((e: { type: string }) => e.type)).toEqual(['ConsentWithdrawn', 'AgreementSuspended']);
    expect((await l.read('service', '/v1/subjects/u-13')).body.agreement).toMatchObject({ state: 'suspended' });

    const again = await l.command('service', '/v1/subjects/u-13/consents', grantBody());
    expect(again.status).toBe(201);
    expect(again.body.events.map((e: { type: string }) => e.type)).toEqual(['ConsentGranted', 'AgreementResumed']);
    expect(again.body.events[1].data).toMatchObject({ reason: 'consent-granted', withdrawalId: withdrawal.body.events[0].data.withdrawalId, clause: '§2.7' });
    expect((await l.read('service', '/v1/subjects/u-13')).body.agreement).toMatchObject({ state: 'active' });
    const history = await l.call('auditor', 'GET', '/v1/subjects/u-13/history');
    expect(history.body.events.at(-1)).toMatchObject({ type: 'AgreementResumed', metadata: { schemaVersion: 2 } });
  });

  it('takes the UUIDs platforms issue as subject ids, digits and all, and refuses a phone number (ARCHITECTURE §3)', async () => {
    // one random UUID in seven holds a run of 7+ digits, as this one does
    const uuid = '550e8400-e29b-41d4-a716-446655440000';
    expect((await l.command('service', `/v1/subjects/${uuid}/consents`, grantBody())).status).toBe(201);
    expect((await l.read('auditor', `/v1/subjects/${uuid}`)).body).toMatchObject({ subjectId: uuid });
    expect((await l.command('service', '/v1/subjects/77011234567/consents', grantBody())).body).toMatchObject({ status: 400, code: 'INVALID_ID' });
  });

  it('refuses a retraction after the due date, naming §2.10', async () => {
    await l.command('service', '/v1/subjects/u-2/consents', grantBody());
    await l.command('service', '/v1/subjects/u-2/consent-withdrawals', { purposes: 'all', receivedOn: '2026-11-25' });
    l.clock.set('2027-01-13T04:00:00Z');
    const late = await l.command('service', '/v1/subjects/u-2/withdrawal-retractions', { retractedOn: '2027-01-13', via: 'application' });
    expect(late.status).toBe(422);
    expect(late.headers['content-type']).toContain('application/problem+json');
    expect(late.body).toMatchObject({ code: 'RETRACTION_TOO_LATE', clause: '§2.10', status: 422 });
  });

  it('records a refused withdrawal while an obligation is open, answers 422 with §2.8 (§2.8)', async () => {
    await l.command('service', '/v1/subjects/u-3/consents', grantBody());
    await l.command('service', '/v1/subjects/u-3/obligations', { obligationId: 'inv-1', kind: 'unpaid-invoice' });
    const refused = await l.command('service', '/v1/subjects/u-3/consent-withdrawals', { purposes: 'all', receivedOn: '2026-11-25' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'WITHDRAWAL_REFUSED', clause: '§2.8', reason: 'open-obligation' });
    const history = await l.call('auditor', 'GET', '/v1/subjects/u-3/history');
    expect(history.body.events.at(-1)).toMatchObject({ type: 'WithdrawalRefused', eventId: refused.body.recorded.eventId });
    // settle, and the same withdrawal goes through
    await l.command('service', '/v1/subjects/u-3/obligations/inv-1/settlement');
    expect((await l.command('service', '/v1/subjects/u-3/consent-withdrawals', { purposes: 'all', receivedOn: '2026-11-25' })).status).toBe(201);
  });

  it('flags cross-border transfers and refuses them without consent to cross the border (§3.2)', async () => {
    await l.command('service', '/v1/subjects/u-4/consents', grantBody());
    const body = { recipientId: 'de-processor', purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: '2026-11-25T05:00:00Z' };
    const refused = await l.command('service', '/v1/subjects/u-4/transfers', body);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'CROSS_BORDER_NOT_CONSENTED', clause: '§3.2' });
    await l.command('service', '/v1/subjects/u-4/consents', grantBody({ crossBorderTransfer: true }));
    const ok = await l.command('service', '/v1/subjects/u-4/transfers', body);
    expect(ok.status).toBe(201);
    expect(ok.body.events[0].data).toMatchObject({ crossBorder: true, recipientCountry: 'DE' });
  });

  it('judges a transfer at the time the data left: before the consent was given it had no basis (§3.2)', async () => {
    await l.command('service', '/v1/subjects/u-9/consents', grantBody());
    const r = await l.command('service', '/v1/subjects/u-9/transfers', {
      recipientId: 'kz-partner', purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: '2026-11-24T12:00:00Z',
    });
    expect(r.body).toMatchObject({ status: 422, code: 'NO_BASIS_AT_TRANSFER_TIME', clause: '§3.2' });
  });

  it('refuses a transfer to a recipient whose confidentiality agreement has ended (§4.4)', async () => {
    await l.command('service', '/v1/subjects/u-5/consents', grantBody());
    await l.command('admin', '/v1/recipients/kz-partner/confidentiality-agreements/NDA-1/end', { endedOn: '2026-11-01' });
    const r = await l.command('service', '/v1/subjects/u-5/transfers', {
      recipientId: 'kz-partner', purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: '2026-11-25T05:00:00Z',
    });
    expect(r.body).toMatchObject({ status: 422, code: 'NO_CONFIDENTIALITY_AGREEMENT', clause: '§4.4' });
  });

  it('ends an agreement under any reference it could be recorded with: spaces, slashes, long numbers (§4.4)', async () => {
    const reference = 'NDA 2026/0115-20260115001';
    expect((await l.command('admin', '/v1/recipients/de-processor/confidentiality-agreements', { reference, signedOn: '2026-02-01' })).status).toBe(201);
    const ended = await l.command('admin', `/v1/recipients/de-processor/confidentiality-agreements/${encodeURIComponent(reference)}/end`, { endedOn: '2026-11-01' });
    expect(ended.status).toBe(201);
    expect(ended.body.events[0]).toMatchObject({ type: 'ConfidentialityAgreementEnded', data: { reference } });
    // and a path that is no reference is still refused
    expect((await l.command('admin', '/v1/recipients/de-processor/confidentiality-agreements/%20x/end', { endedOn: '2026-11-01' })).body)
      .toMatchObject({ status: 400, code: 'INVALID_REFERENCE' });
  });

  it('accepts a policy version implicitly only after 7 full calendar days (§1.4)', async () => {
    await l.command('service', '/v1/subjects/u-6/consents', grantBody());
    await l.command('admin', '/v1/policy-versions', { version: '2026-11', textSha256: 'b'.repeat(64), publishedAt: '2026-11-20T05:00:00Z' });
    const early = await l.command('service', '/v1/subjects/u-6/policy-acceptances', { policyVersion: '2026-11', mode: 'implied', at: '2026-11-25T04:00:00Z' });
    expect(early.body).toMatchObject({ status: 422, code: 'IMPLIED_ACCEPTANCE_TOO_EARLY', clause: '§1.4' });
    l.clock.set('2026-11-28T00:00:00Z');
    const ok = await l.command('service', '/v1/subjects/u-6/policy-acceptances', { policyVersion: '2026-11', mode: 'implied', at: '2026-11-27T19:00:00Z' });
    expect(ok.status).toBe(201);
  });

  it('reported use records implied acceptance of a new version once its 7 days have passed, and only then (§1.4)', async () => {
    await l.command('service', '/v1/subjects/u-12/consents', grantBody());
    await l.command('admin', '/v1/policy-versions', { version: '2026-11', textSha256: 'c'.repeat(64), publishedAt: '2026-11-20T05:00:00Z' });
    const early = await l.command('service', '/v1/subjects/u-12/platform-use', { at: '2026-11-25T04:00:00Z' });
    expect(early.status).toBe(201);
    expect(early.body.events).toEqual([]);
    l.clock.set('2026-11-28T06:00:00Z');
    const counted = await l.command('service', '/v1/subjects/u-12/platform-use', { at: '2026-11-28T05:00:00Z' });
    expect(counted.body.events.map((e: { data: { policyVersion: string; mode: string } }) => [e.data.policyVersion, e.data.mode])).toEqual([['2026-11', 'implied']]);
    expect((await l.command('service', '/v1/subjects/u-12/platform-use', { at: '2026-11-28T05:30:00Z' })).body.events).toEqual([]);
    expect((await l.read('auditor', '/v1/subjects/u-12')).body.policy).toEqual({ version: '2026-11', acceptedAs: 'implied', acceptedAt: '2026-11-28T05:00:00.000Z' });
  });

  it('terminating the agreement starts the 3-year retention clock (§2.6)', async () => {
    await l.command('service', '/v1/subjects/u-7/consents', grantBody());
    await l.command('service', '/v1/subjects/u-7/agreement-termination', { endedOn: '2026-11-24', reason: 'contract-ended' });
    expect((await l.read('auditor', '/v1/subjects/u-7')).body.agreement).toEqual({ state: 'terminated', endedOn: '2026-11-24', retentionEndsOn: '2029-11-24' });
  });

  it('answers a retry with the first result and writes nothing; refuses the key for another request', async () => {
    const headers = { 'idempotency-key': 'grant-u8-000001' };
    const first = await l.call('service', 'POST', '/v1/subjects/u-8/consents', grantBody(), headers);
    await l.settled();
    const before = l.fingerprint();
    const retry = await l.call('service', 'POST', '/v1/subjects/u-8/consents', grantBody(), headers);
    expect(retry.status).toBe(201);
    expect({ ...retry.body, replayed: false }).toEqual(first.body);
    expect(retry.body.replayed).toBe(true);
    expect(l.fingerprint()).toEqual(before);
    const reuse = await l.call('service', 'POST', '/v1/subjects/u-8/consents', grantBody({ publication: true }), headers);
    expect(reuse.body).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('keeps only a keyed hash of the Idempotency-Key in the events, never the key a client chose', async () => {
    const phone = '77017463829'; // a key built from a phone number, by mistake
    const headers = { 'idempotency-key': `sms-${phone}` };
    const first = await l.call('service', 'POST', '/v1/subjects/u-8b/consents', grantBody(), headers);
    expect(first.status).toBe(201);
    const stored = (await l.call('auditor', 'GET', '/v1/subjects/u-8b/history?include=stored')).body.events[0].stored.metadata;
    expect(stored.idempotencyKey).toMatch(/^[0-9a-f]{64}$/);
    await l.settled();
    for (const f of ['events.db', 'events.db-wal']) expect({ f, phone: readFileSync(join(l.dataDir, f)).includes(phone) }).toEqual({ f, phone: false });
    const retry = await l.call('service', 'POST', '/v1/subjects/u-8b/consents', grantBody(), headers);
    expect(retry.body.replayed).toBe(true);
    expect(retry.body.events).toEqual(first.body.events);
  });

  it('keeps X-Correlation-Id in every event a command writes: a W3C trace id with digit runs is taken, a phone number is not (HTTP 1.32.0)', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'; // a random trace id with a 7-digit run
    const withTrace = await l.call('service', 'POST', '/v1/subjects/u-8c/consents', grantBody(), { 'idempotency-key': 'corr-key-0001', 'x-correlation-id': traceId });
    expect(withTrace.status).toBe(201);
    const without = await l.call('service', 'POST', '/v1/subjects/u-8c/obligations', { obligationId: 'o-1', kind: 'invoice' }, { 'idempotency-key': 'corr-key-0002' });
    expect(without.status).toBe(201);
    const refused = await l.call('service', 'POST', '/v1/subjects/u-8c/obligations', { obligationId: 'o-2', kind: 'invoice' }, { 'idempotency-key': 'corr-key-0003', 'x-correlation-id': 'sms-77017463829' });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('CORRELATION_ID_INVALID');
    expect(refused.raw).not.toContain('77017463829');
    const events = (await l.call('auditor', 'GET', '/v1/subjects/u-8c/history')).body.events;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['ConsentGranted', 'ObligationOpened']);
    expect(events[0].metadata.correlationId).toBe(traceId);
    // absent, the command's own id, which is also the event's causation
    expect(events[1].metadata.correlationId).toBe(events[1].metadata.causationId);
  });

  it('keeps the fold of a stream it decided on, and says how much in /metrics', async () => {
    const gauge = async (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec((await l.call('admin', 'GET', '/metrics')).raw)?.[1]);
    const before = { streams: await gauge('ledger_command_folds_kept_streams'), events: await gauge('ledger_command_folds_kept_events') };
    expect(Number.isInteger(before.streams) && Number.isInteger(before.events)).toBe(true);
    await l.command('service', '/v1/subjects/u-8d/consents', grantBody());
    // the second command reads the first's event and keeps the stream folded
    await l.command('service', '/v1/subjects/u-8d/obligations', { obligationId: 'o-1', kind: 'invoice' });
    expect(await gauge('ledger_command_folds_kept_streams')).toBe(before.streams + 1);
    expect(await gauge('ledger_command_folds_kept_events')).toBe(before.events + 1);
  });

  it('still answers a retry from an event written before keys were hashed (it holds the key itself)', async () => {
    // such an event, as an older build appended it: the key in plaintext beside the request's hash
    const key = 'grant-u8c-older-build';
    const body = grantBody();
    const requestHash = l.app.get(Pseudonymiser).token('idempotency-request', canonical({ route: 'POST /v1/subjects/:subjectId/consents', params: { subjectId: 'u-8c' }, body }));
    // an event of the right type and data: a grant to another subject, as stored
    expect((await l.command('service', '/v1/subjects/u-8d/consents', body)).status).toBe(201);
    const model = (await l.call('auditor', 'GET', '/v1/subjects/u-8d/history?include=stored')).body.events[0];
    const written = await l.app.get<EventStore>(EVENT_STORE).append('subject-u-8c', [{
      type: model.type,
      data: model.stored.data,
      metadata: { ...model.stored.metadata, eventId: '01937f4e-0000-7000-8000-00000000c8c0', idempotencyKey: key, requestHash, prevHash: undefined, hash: undefined, recordedAt: undefined },
    }], { expectedState: 'no_stream' });
    const retry = await l.call('service', 'POST', '/v1/subjects/u-8c/consents', body, { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ replayed: true, position: written.position.toString() });
  });

  it('answers 409 when If-Match names a stale revision, and serialises concurrent commands without it', async () => {
    await l.command('service', '/v1/subjects/u-9/consents', grantBody());
    const stale = await l.command('service', '/v1/subjects/u-9/obligations', { obligationId: 'o-1', kind: 'invoice' }, { 'if-match': '"5"' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'CONCURRENCY_CONFLICT', currentRevision: '0' });
    const fresh = await l.command('service', '/v1/subjects/u-9/obligations', { obligationId: 'o-1', kind: 'invoice' }, { 'if-match': '"0"' });
    expect(fresh.status).toBe(201);
    const many = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      l.command('service', '/v1/subjects/u-9/obligations', { obligationId: `p-${i}`, kind: 'invoice' })));
    expect(many.map((r) => r.status)).toEqual(Array(8).fill(201));
    const history = await l.call('auditor', 'GET', '/v1/subjects/u-9/history');
    expect(history.body.events).toHaveLength(10);
  });

  it('serves a history whose hash chain verifies', async () => {
    await l.command('service', '/v1/subjects/u-10/consents', grantBody());
    await l.command('service', '/v1/subjects/u-10/personal-data', { category: 'phone-number', source: 'subject', value: '+77010000000' });
    await l.command('service', '/v1/subjects/u-10/restrictions', { reason: 'accuracy-contested', requestedOn: '2026-11-25' });
    await l.command('service', '/v1/subjects/u-10/restriction-lifts');
    const page1 = await l.call('auditor', 'GET', '/v1/subjects/u-10/history?limit=2&include=stored');
    expect(page1.body.nextRevision).toBe('2');
    const page2 = await l.call('auditor', 'GET', '/v1/subjects/u-10/history?fromRevision=2&include=stored');
    expect(page2.body.nextRevision).toBeNull();
    // the auditor sees that a value exists, not what it is
    expect(page1.body.events[1].data.value).toEqual({ visible: false });
    // …and recomputes every hash from what was served alone (ARCHITECTURE §5): the pages
    // joined, each event as stored — its sealed value as ciphertext, never the number
    const served = servedChain(page1.body, page2.body);
    expect(served.map((e) => e.type)).toEqual(['ConsentGranted', 'PersonalDataRecorded', 'ProcessingRestricted', 'ProcessingRestrictionLifted']);
    expect(verifyChain(served)).toBeNull();
    expect(served.map((e) => e.metadata.hash)).toEqual([...page1.body.events, ...page2.body.events].map((e: { metadata: { hash: string } }) => e.metadata.hash));
    expect(JSON.stringify([page1.body, page2.body])).not.toContain('77010000000');
    expect(served[1]!.data).toMatchObject({ category: 'phone-number', value: { alg: 'A256GCM', ct: expect.any(String) } });
    // and would see any change: one byte of the ciphertext, an event left out, two swapped
    const flipped = structuredClone(served);
    const sealed = (flipped[1]!.data as { value: { ct: string } }).value;
    sealed.ct = (sealed.ct[0] === 'A' ? 'B' : 'A') + sealed.ct.slice(1);
    expect(verifyChain(flipped)).toEqual({ revision: 1n, reason: 'hash-mismatch' });
    expect(verifyChain([served[0]!, ...served.slice(2)])).toEqual({ revision: 2n, reason: 'revision-gap' });
    expect(verifyChain([served[0]!, served[2]!, served[1]!, served[3]!])).toEqual({ revision: 2n, reason: 'revision-gap' });
    // two events swapped and their revisions relabelled to look in order
    expect(verifyChain([served[0]!, { ...served[2]!, revision: 1n }, { ...served[1]!, revision: 2n }, served[3]!]))
      .toEqual({ revision: 1n, reason: 'prev-hash-mismatch' });
    // without include=stored the history is as before: no stored copy
    expect((await l.call('auditor', 'GET', '/v1/subjects/u-10/history')).body.events[0].stored).toBeUndefined();
    expect((await l.call('auditor', 'GET', '/v1/subjects/u-10/history?include=everything')).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('enforces roles: deny by default, per route', async () => {
    await l.command('service', '/v1/subjects/u-11/consents', grantBody());
    expect((await l.call(null, 'GET', '/v1/subjects/u-11')).status).toBe(401);
    expect((await l.call(null, 'GET', '/v1/subjects/u-11', undefined, { authorization: 'Bearer not-a-key-at-all-000000' })).status).toBe(401);
    expect((await l.call('regulator', 'GET', '/v1/subjects/u-11')).status).toBe(403);
    expect((await l.command('auditor', '/v1/subjects/u-11/consents', grantBody())).status).toBe(403);
    expect((await l.command('service', '/v1/policy-versions', { version: 'x', textSha256: 'c'.repeat(64) })).status).toBe(403);
    expect((await l.call(null, 'GET', '/health/live')).status).toBe(200);
    expect((await l.call(null, 'GET', '/docs/openapi.json')).status).toBe(200);
  });
});

/** The events of history pages fetched with include=stored, as `verifyChain` takes them. */
function servedChain(...pages: { streamId: string; events: { type: string; revision: string; stored: { data: unknown; metadata: EventMetadata } }[] }[]) {
  return pages.flatMap((p) => p.events.map((e) => ({
    streamId: p.streamId, revision: BigInt(e.revision), type: e.type, data: e.stored.data, metadata: e.stored.metadata,
  })));
}

describe('history verification after erasure', () => {
  it('recomputes every hash from the served history once the key is destroyed (§2.10)', async () => {
    const l = await startLedger();
    await seedReferenceData(l);
    await l.command('service', '/v1/subjects/u-20/consents', grantBody());
    await l.command('service', '/v1/subjects/u-20/personal-data', { category: 'email-address', source: 'subject', value: 'canary-u20@example.kz' });
    await l.command('service', '/v1/subjects/u-20/consent-withdrawals', { purposes: 'all', receivedOn: '2026-11-25' });
    l.clock.set('2027-02-01T05:00:00Z');
    await l.settled(); // the scheduler finds due erasures in the read models
    expect(await l.app.get(ErasureScheduler).tick()).toMatchObject({ started: 1, shredded: 1 });
    const history = await l.call('service', 'GET', '/v1/subjects/u-20/history?include=stored');
    expect(history.body.events.map((e: { type: string }) => e.type)).toContain('DataKeyShredded');
    expect(verifyChain(servedChain(history.body))).toBeNull();
    expect(history.raw).not.toContain('canary-u20');
    await l.close();
  });
});
