import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_VAULT, type KeyVault } from '@ledger/crypto';
import { EVENT_STORE, verifyChain, type EventStore } from '@ledger/event-store';
import { ErasureScheduler } from '../src/erasure/erasure-scheduler';
import { almaty, grantBody, seedReferenceData, startLedger, type Ledger } from './harness';

const CANARY = 'canary-erase-Qv93@example.kz';

async function subjectWithData(l: Ledger, id: string) {
  await l.command('service', `/v1/subjects/${id}/consents`, grantBody({ crossBorderTransfer: true }));
  await l.command('service', `/v1/subjects/${id}/personal-data`, { category: 'email-address', source: 'subject', value: CANARY });
  await l.command('service', `/v1/subjects/${id}/transfers`, {
    recipientId: 'kz-partner', purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: almaty('2026-03-02'),
  });
}

const tick = async (l: Ledger) => {
  await l.settled(); // the scheduler finds work in the read models
  const report = await l.app.get(ErasureScheduler).tick();
  await l.settled();
  return report;
};

describe('erasure that really erases (§2.10, §2.6)', () => {
  let l: Ledger;
  beforeEach(async () => {
    l = await startLedger(almaty('2026-03-02'), { LEDGER_ERASURE_SYSTEMS: 'crm' });
    await seedReferenceData(l);
  });
  afterEach(() => l.close());

  it('withdrawal with Nauryz in the window: retractable on the last working day, shredded right after, complete once all confirm', async () => {
    await subjectWithData(l, 'e-1');
    await subjectWithData(l, 'e-2');
    const w = await l.command('service', '/v1/subjects/e-1/consent-withdrawals', { purposes: 'all', receivedOn: '2026-03-02' });
    const erasure = w.body.events.find((e: { type: string }) => e.type === 'ErasureScheduled').data;
    expect(erasure.dueOn).toBe('2026-04-17'); // 9 March and 23–25 March are days off
    await l.command('service', '/v1/subjects/e-2/consent-withdrawals', { purposes: 'all', receivedOn: '2026-03-02' });

    // the last working day: e-2 retracts in time; nothing is destroyed yet
    l.clock.set(almaty('2026-04-17', 23));
    expect((await l.command('service', '/v1/subjects/e-2/withdrawal-retractions', { retractedOn: '2026-04-17', via: 'sign-in' })).status).toBe(201);
    expect(await tick(l)).toMatchObject({ acted: true, started: 0, shredded: 0 });
    expect((await l.read('service', '/v1/subjects/e-1')).body).toMatchObject({ status: 'active', personalData: [{ value: { visible: true, value: CANARY } }] });

    // 00:30 on the next day in Almaty: decided and shredded
    const vault = l.app.get<KeyVault>(KEY_VAULT);
    const key = (await vault.get('e-1')) as { status: 'active'; key: Buffer };
    expect(key.status).toBe('active');
    // the key as stored: wrapped by the KEK, in the vault file (positive control for the scan below)
    const raw = new Database(join(l.dataDir, 'keyvault.db'), { readonly: true });
    const wrapped = raw.prepare('SELECT wrapped FROM data_keys WHERE subject_id = ?').get('e-1') as { wrapped: Buffer };
    raw.close();
    const filesWith = (needle: Buffer) => readdirSync(l.dataDir).filter((f) => readFileSync(join(l.dataDir, f)).includes(needle));
    expect(filesWith(wrapped.wrapped).length).toBeGreaterThan(0);
    l.clock.set(almaty('2026-04-18', 0.5));
    expect(await tick(l)).toMatchObject({ started: 1, shredded: 1 });
    expect(await tick(l)).toMatchObject({ started: 0, shredded: 0 }); // idempotent when repeated

    const state = await l.read('service', '/v1/subjects/e-1');
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ status: 'erased', erasedAt: l.clock.now().toISOString(), personalData: [] });
    expect(state.raw).not.toContain(CANARY);
    for (const role of ['service', 'auditor'] as const) {
      const history = await l.call(role, 'GET', '/v1/subjects/e-1/history');
      const recorded = history.body.events.find((e: { type: string }) => e.type === 'PersonalDataRecorded');
      expect(recorded.data.value).toEqual({ visible: true, erased: true, erasedAt: l.clock.now().toISOString() });
      expect(history.raw).not.toContain(CANARY);
    }
    const store = l.app.get<EventStore>(EVENT_STORE);
    expect(verifyChain(await store.readStream('subject-e-1'))).toBeNull(); // history intact, hashes verify
    expect(await vault.get('e-1')).toEqual({ status: 'destroyed', destroyedAt: l.clock.now().toISOString() });

    // no new data, no transfer for an erased subject
    const late = await l.command('service', '/v1/subjects/e-1/transfers', {
      recipientId: 'kz-partner', purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: almaty('2026-04-18', 0.6),
    });
    expect(late.body).toMatchObject({ status: 422, code: 'SUBJECT_ERASED' });

    // downstream confirmations: crm (internal) and kz-partner (recipient of a transfer)
    const queue = async () => (await l.read('auditor', `/v1/erasures?subjectId=e-1`)).body.items[0];
    expect(await queue()).toMatchObject({ status: 'shredded', awaitingAcknowledgement: ['crm', 'kz-partner'] });
    const ack = (system: string) => l.command('service', `/v1/subjects/e-1/erasures/${erasure.erasureId}/acknowledgements`, { system });
    expect((await ack('crm')).body.events.map((e: { type: string }) => e.type)).toEqual(['ErasureAcknowledged']);
    expect((await ack('crm')).body.events).toEqual([]); // deduplicated
    expect((await ack('kz-partner')).body.events.map((e: { type: string }) => e.type)).toEqual(['ErasureAcknowledged', 'ErasureCompleted']);
    expect(await queue()).toMatchObject({ status: 'completed', awaitingAcknowledgement: [], acknowledgedBy: ['crm', 'kz-partner'] });

    // e-2 retracted: still active, its data readable
    expect((await l.read('service', '/v1/subjects/e-2')).body).toMatchObject({ status: 'active', personalData: [{ value: { value: CANARY } }] });

    // scan: neither e-1's key (wrapped or not) nor any plaintext is left in any file
    await l.close({ keepData: true });
    expect(filesWith(wrapped.wrapped)).toEqual([]);
    expect(filesWith(key.key)).toEqual([]);
    expect(filesWith(Buffer.from(CANARY))).toEqual([]);
    l = await startLedger(almaty('2026-04-18'), {}, l.dataDir); // for afterEach
  });

  it('a recipient whose id is no slug (Acme_EU) can still acknowledge, so the erasure completes (§2.10, §3.3)', async () => {
    expect((await l.command('admin', '/v1/recipients', { recipientId: 'Acme_EU', name: 'Acme Europe', kind: 'processor', country: 'DE' })).status).toBe(201);
    await l.command('admin', '/v1/recipients/Acme_EU/confidentiality-agreements', { reference: 'NDA-9', signedOn: '2026-01-15' });
    await l.command('service', '/v1/subjects/a-1/consents', grantBody({ crossBorderTransfer: true }));
    expect((await l.command('service', '/v1/subjects/a-1/transfers', {
      recipientId: 'Acme_EU', purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: almaty('2026-03-02'),
    })).status).toBe(201);
    const w = await l.command('service', '/v1/subjects/a-1/consent-withdrawals', { purposes: 'all', receivedOn: '2026-03-02' });
    const erasureId = w.body.events.find((e: { type: string }) => e.type === 'ErasureScheduled').data.erasureId;
    l.clock.set(almaty('2026-04-18', 0.5));
    expect(await tick(l)).toMatchObject({ started: 1 });
    const ack = (system: string) => l.command('service', `/v1/subjects/a-1/erasures/${erasureId}/acknowledgements`, { system });
    // a system the erasure does not wait for is refused, not recorded
    expect((await ack('Nobody_Else')).body).toMatchObject({ status: 422, code: 'UNEXPECTED_SYSTEM' });
    await ack('crm');
    expect((await ack('Acme_EU')).body.events.map((e: { type: string }) => e.type)).toEqual(['ErasureAcknowledged', 'ErasureCompleted']);
  });

  it('§2.6: when retention ends, schedules erasure and carries it out after its due date', async () => {
    await subjectWithData(l, 'r-1');
    await l.command('service', '/v1/subjects/r-1/agreement-termination', { endedOn: '2023-03-01', reason: 'contract-ended' });
    expect(await tick(l)).toMatchObject({ retentionScheduled: 1 });
    const item = (await l.read('auditor', '/v1/erasures?subjectId=r-1')).body.items[0];
    expect(item).toMatchObject({ reason: 'retention-ended', receivedOn: '2026-03-01', dueOn: '2026-04-16', status: 'scheduled' });
    expect(await tick(l)).toMatchObject({ retentionScheduled: 0 }); // not twice
    l.clock.set(almaty('2026-04-17', 0.5));
    expect(await tick(l)).toMatchObject({ started: 1, shredded: 1 });
    expect((await l.read('service', '/v1/subjects/r-1')).body).toMatchObject({ status: 'erased', personalData: [] });
  });

  it('§2.8: a legal hold placed after the decision, before the key is destroyed, keeps the data until it is released', async () => {
    await subjectWithData(l, 'h-1');
    await l.command('service', '/v1/subjects/h-1/consent-withdrawals', { purposes: 'all', receivedOn: '2026-03-02' });
    const vault = l.app.get<KeyVault>(KEY_VAULT);
    // the vault fails once: decided, not shredded
    jest.spyOn(vault, 'destroy').mockRejectedValueOnce(new Error('vault unavailable'));
    l.clock.set(almaty('2026-04-18', 0.5));
    await expect(tick(l)).rejects.toThrow('vault unavailable');
    await l.settled();
    expect((await l.read('auditor', '/v1/erasures?subjectId=h-1')).body.items[0]).toMatchObject({ status: 'started' });
    // a court's hold arrives before the next tick
    expect((await l.command('admin', '/v1/subjects/h-1/legal-holds', { holdId: 'hold-1', authority: 'court', reference: 'case 2-77/2026' })).status).toBe(201);
    expect(await tick(l)).toMatchObject({ shredded: 0 });
    expect(await vault.get('h-1')).toMatchObject({ status: 'active' });
    expect((await l.read('service', '/v1/subjects/h-1')).body.personalData).toHaveLength(1);
    // released: the next tick carries the decision out
    await l.command('admin', '/v1/subjects/h-1/legal-holds/hold-1/release');
    expect(await tick(l)).toMatchObject({ shredded: 1 });
    expect(await vault.get('h-1')).toMatchObject({ status: 'destroyed' });
  });

  it('§2.10: when every basis has lapsed, schedules erasure; a new consent before it is carried out cancels it', async () => {
    for (const id of ['x-1', 'x-2']) {
      await l.command('service', `/v1/subjects/${id}/consents`, grantBody({ validUntil: '2026-03-31' }));
      await l.command('service', `/v1/subjects/${id}/personal-data`, { category: 'email-address', source: 'subject', value: CANARY });
    }
    await l.command('service', '/v1/subjects/x-3/consents', grantBody({ validUntil: '2026-03-31' }));
    await l.command('service', '/v1/subjects/x-3/consents', grantBody({ purposes: ['legal-compliance'], basis: 'legal-obligation' }));
    l.clock.set(almaty('2026-03-31', 0.9));
    expect(await tick(l)).toMatchObject({ expiryScheduled: 0 }); // valid through its last day
    l.clock.set(almaty('2026-04-01', 0.1));
    expect(await tick(l)).toMatchObject({ expiryScheduled: 2 }); // x-3 still has its legal obligation
    expect(await tick(l)).toMatchObject({ expiryScheduled: 0 }); // not twice
    const queue = (await l.read('auditor', '/v1/erasures?reason=basis-expired')).body.items;
    expect(queue.map((e: { subjectId: string }) => e.subjectId).sort()).toEqual(['x-1', 'x-2']);
    expect(queue[0]).toMatchObject({ reason: 'basis-expired', receivedOn: '2026-03-31', dueOn: '2026-05-15', status: 'scheduled' });

    const renewed = await l.command('service', '/v1/subjects/x-2/consents', grantBody());
    expect(renewed.body.events.map((e: { type: string }) => e.type)).toEqual(['ConsentGranted', 'ErasureCancelled']);
    l.clock.set(almaty('2026-05-16', 0.5));
    expect(await tick(l)).toMatchObject({ started: 1, shredded: 1, expiryScheduled: 0 });
    expect((await l.read('service', '/v1/subjects/x-1')).body).toMatchObject({ status: 'erased', personalData: [] });
    expect((await l.read('service', '/v1/subjects/x-2')).body).toMatchObject({ status: 'active', openErasure: null });
  });

  it('§2.5: a demanded destruction goes ahead although the withdrawal is retracted and a consent given; the queue shows it', async () => {
    await subjectWithData(l, 'd-1');
    await subjectWithData(l, 'd-2');
    // d-1 withdrew on 20 March (due 4 May); a demand received on 2 March, recorded late, is due 17 April
    l.clock.set(almaty('2026-03-20'));
    const w = await l.command('service', '/v1/subjects/d-1/consent-withdrawals', { purposes: 'all', receivedOn: '2026-03-20' });
    const withdrawalErasure = w.body.events.find((e: { type: string }) => e.type === 'ErasureScheduled').data;
    const demand = await l.command('service', '/v1/subjects/d-1/destruction-demands', { receivedOn: '2026-03-02' });
    expect(demand.status).toBe(201);
    expect(demand.body.events.map((e: { type: string }) => e.type)).toEqual(['DestructionDemanded', 'ErasureCancelled', 'ErasureScheduled']);
    expect(demand.body.events[1].data).toMatchObject({ erasureId: withdrawalErasure.erasureId, reason: 'superseded' });
    expect(demand.body.events[2].data).toMatchObject({ reason: 'destruction-demanded', receivedOn: '2026-03-02', dueOn: '2026-04-17' });
    // d-2 demands with a consent standing: scheduled all the same
    expect((await l.command('service', '/v1/subjects/d-2/destruction-demands', { receivedOn: '2026-03-20' })).status).toBe(201);

    // the way back of §2.10 does not undo a demand
    const retraction = await l.command('service', '/v1/subjects/d-1/withdrawal-retractions', { retractedOn: '2026-03-20', via: 'sign-in' });
    expect(retraction.body.events.map((e: { type: string }) => e.type)).toEqual(['WithdrawalRetracted', 'AgreementResumed']);
    const again = await l.command('service', '/v1/subjects/d-2/consents', grantBody({ purposes: ['product-promotion'] }));
    expect(again).toMatchObject({ status: 422, body: { code: 'ERASURE_PENDING', clause: '§2.5' } });
    const queue = (await l.read('auditor', '/v1/erasures?reason=destruction-demanded')).body.items;
    expect(queue.map((e: { subjectId: string }) => e.subjectId).sort()).toEqual(['d-1', 'd-2']);
    expect((await l.read('auditor', `/v1/erasures?subjectId=d-1&status=cancelled`)).body.items).toMatchObject([{ erasureId: withdrawalErasure.erasureId }]);
    // the subject's view follows the replacement, not the superseded erasure
    expect((await l.read('service', '/v1/subjects/d-1')).body.openErasure).toMatchObject({ erasureId: demand.body.events[2].data.erasureId, dueOn: '2026-04-17' });

    // not before the due date; right after it, destroyed
    l.clock.set(almaty('2026-04-17', 23));
    expect(await tick(l)).toMatchObject({ started: 0 });
    l.clock.set(almaty('2026-04-18', 0.5));
    expect(await tick(l)).toMatchObject({ started: 1, shredded: 1 });
    const erased = await l.read('service', '/v1/subjects/d-1');
    expect(erased.body).toMatchObject({ status: 'erased', personalData: [] });
    expect(erased.raw).not.toContain(CANARY);
    // refused: a demand for an erased subject, one received in the future, one from a role that may not
    expect(await l.command('service', '/v1/subjects/d-1/destruction-demands', { receivedOn: '2026-04-18' })).toMatchObject({ status: 422, body: { code: 'SUBJECT_ERASED' } });
    expect(await l.command('service', '/v1/subjects/d-2/destruction-demands', { receivedOn: '2026-04-19' })).toMatchObject({ status: 400, body: { code: 'DATE_IN_FUTURE' } });
    expect((await l.command('auditor', '/v1/subjects/d-2/destruction-demands', { receivedOn: '2026-04-18' })).status).toBe(403);
  });

  it('§2.10: the purpose achieved ends the storage period; erasure follows 30 working days later', async () => {
    await subjectWithData(l, 'p-1');
    const r = await l.command('service', '/v1/subjects/p-1/purpose-achievements', { purpose: 'service-provision', achievedOn: '2026-03-02' });
    expect(r.body.events.map((e: { type: string }) => e.type)).toEqual(['PurposeAchieved', 'ErasureScheduled']);
    expect((await l.read('auditor', '/v1/consents?subjectId=p-1')).body.items[0]).toMatchObject({ status: 'achieved' });
    l.clock.set(almaty('2026-04-18', 0.5));
    expect(await tick(l)).toMatchObject({ started: 1, shredded: 1 });
  });

  it('raises an erasure still unconfirmed a working day after its due date, naming who is missing', async () => {
    await subjectWithData(l, 'o-1');
    await l.command('service', '/v1/subjects/o-1/consent-withdrawals', { purposes: 'all', receivedOn: '2026-03-02' });
    l.clock.set(almaty('2026-04-18'));
    expect(await tick(l)).toMatchObject({ shredded: 1, overdue: 0 });
    l.clock.set(almaty('2026-04-20')); // Monday: the working day of grace
    expect(await tick(l)).toMatchObject({ overdue: 0 });
    l.clock.set(almaty('2026-04-21'));
    expect(await tick(l)).toMatchObject({ overdue: 1 });
    expect(await tick(l)).toMatchObject({ overdue: 0 });
    const item = (await l.read('auditor', '/v1/erasures?status=overdue')).body.items[0];
    expect(item).toMatchObject({ subjectId: 'o-1', overdue: true, awaitingAcknowledgement: ['crm', 'kz-partner'] });
    expect(l.logs()).toContain('erasure overdue');
    expect((await l.call('admin', 'GET', '/v1/operations/erasures')).body).toEqual({ byStatus: { shredded: 1 }, overdue: 1 });
    const metrics = await l.call('admin', 'GET', '/metrics');
    expect(metrics.raw).toMatch(/^ledger_erasures_overdue 1$/m);
    expect(metrics.raw).toMatch(/^ledger_erasures_overdue_raised_total 1$/m);
    expect(metrics.raw).toMatch(/^ledger_projection_lag_events 0$/m);
    expect(metrics.raw).toContain('ledger_command_duration_seconds_bucket{le="0.001",route="/v1/subjects/:subjectId/consents",outcome="written"}');
    expect(metrics.raw).not.toContain('o-1'); // no subject ids in labels
    expect((await l.call('service', 'GET', '/metrics')).status).toBe(403);
    expect(l.logs()).not.toContain(CANARY);
  });

  it('kill -9 between the decision and the shredding: after restart the erasure completes exactly once', async () => {
    await subjectWithData(l, 'k-1');
    await l.command('service', '/v1/subjects/k-1/consent-withdrawals', { purposes: 'all', receivedOn: '2026-03-02' });
    await l.settled();
    await l.close({ keepData: true });

    // a ledger process takes the decision, then dies as it goes to destroy the key
    const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'support/crash-during-erasure.ts'), l.dataDir, almaty('2026-04-18')], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, SWC_NODE_PROJECT: join(__dirname, '../../../tsconfig.json') },
      });
      child.once('error', reject);
      child.once('exit', (code, sig) => (sig ? resolve(sig) : reject(new Error(`child exited with ${code}`))));
    });
    expect(signal).toBe('SIGKILL');

    // restart: the scheduler runs once at start-up and reconciles
    l = await startLedger(almaty('2026-04-18', 11), { LEDGER_ERASURE_SYSTEMS: 'crm' }, l.dataDir);
    const types = async () => (await l.app.get<EventStore>(EVENT_STORE).readStream('subject-k-1')).map((e) => e.type);
    expect((await types()).filter((t) => t === 'ErasureStarted')).toHaveLength(1);
    for (let i = 0; !(await types()).includes('DataKeyShredded'); i++) {
      if (i > 300) throw new Error('the reconciler did not finish the erasure');
      await new Promise((r) => setTimeout(r, 10));
    }
    await tick(l);
    await tick(l);
    const after = await types();
    expect(after.filter((t) => t === 'ErasureStarted')).toHaveLength(1);
    expect(after.filter((t) => t === 'DataKeyShredded')).toHaveLength(1);
    expect(await l.app.get<KeyVault>(KEY_VAULT).get('k-1')).toMatchObject({ status: 'destroyed' });
    expect((await l.read('service', '/v1/subjects/k-1')).body).toMatchObject({ status: 'erased', personalData: [] });
  }, 60_000);
});
