import { randomUUID } from 'node:crypto';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ErasureScheduler } from '../src/erasure/erasure-scheduler';
import { almaty, grantBody, seedReferenceData, startLedger, type Ledger } from './harness';

/**
 * docs/operations.md, "Rolling upgrades": a newer build has written an event this build
 * cannot read — a type it does not know, or a newer schema version of one it does. A
 * request of this (outdated) instance that reads it answers 503 INSTANCE_OUTDATED with
 * Retry-After, so the caller or its load balancer retries on an upgraded instance; it
 * never guesses at the event, never writes, and never answers 500.
 */
describe('an instance older than the events it reads (rolling upgrade, e2e)', () => {
  let l: Ledger;
  beforeAll(async () => {
    l = await startLedger();
    await seedReferenceData(l);
  });
  afterAll(() => l.close());

  const fromNewerBuild = async (subjectId: string, type: string, schemaVersion: number, ledger = l) => {
    const store = ledger.app.get<EventStore>(EVENT_STORE);
    await store.append(`subject-${subjectId}`, [{
      type,
      data: { somethingNew: true },
      metadata: {
        eventId: randomUUID(), schemaVersion, occurredAt: '2026-11-25T05:00:00.000Z', actor: 'service:newer-build',
        correlationId: randomUUID(), causationId: randomUUID(), idempotencyKey: null,
      },
    }], { expectedState: 'stream_exists' });
  };

  it.each([
    ['an event type this build does not know', 'u-new-type', 'PartialDestructionDemanded', 1],
    ['a newer schema version of a type it knows', 'u-new-version', 'ConsentGranted', 99],
  ])('answers 503 INSTANCE_OUTDATED to a command and to the history when it meets %s, and writes nothing', async (_, subjectId, type, version) => {
    expect((await l.command('service', `/v1/subjects/${subjectId}/consents`, grantBody())).status).toBe(201);
    await fromNewerBuild(subjectId, type, version);
    await l.settled().catch(() => undefined); // the projector stops at the event, as documented
    const before = l.fingerprint()['events.db'];

    const command = await l.command('service', `/v1/subjects/${subjectId}/personal-data`, { category: 'email-address', source: 'subject', value: 'canary-upgrade@example.kz' });
    expect(command.status).toBe(503);
    expect(command.body).toMatchObject({ code: 'INSTANCE_OUTDATED', status: 503 });
    expect(command.headers['retry-after']).toBe('1');
    const history = await l.call('auditor', 'GET', `/v1/subjects/${subjectId}/history`);
    expect(history.status).toBe(503);
    expect(history.body).toMatchObject({ code: 'INSTANCE_OUTDATED' });

    expect(l.fingerprint()['events.db']).toBe(before);
    // its projector says so once and looks again in 30 s, not every second (the wait above was 2 s)
    const stopped = l.logs().split('\n').filter((line) => line.includes('projector stopped at an event a newer build wrote') && line.includes(`"eventType":"${type}"`));
    // (the second case's event sits behind the first one's, where the projector stopped already)
    if (type === 'PartialDestructionDemanded') expect(stopped).toHaveLength(1);
    expect(l.logs()).not.toContain('projector failed; restarting in 1 s');
    expect(l.logs()).toMatch(new RegExp(`"eventType":"${type}".*"msg":"instance outdated: it read an event a newer build wrote`));
    expect(l.logs()).not.toContain('canary-upgrade');
  });

  it('lets the erasure scheduler skip such a subject and carry out the others\' erasures (§2.10)', async () => {
    // an instance of its own: the one above has its projector stopped at the events planted there
    const own = await startLedger();
    try {
      await seedReferenceData(own);
      for (const id of ['u-due-1', 'u-due-2']) {
        expect((await own.command('service', `/v1/subjects/${id}/consents`, grantBody())).status).toBe(201);
        expect((await own.command('service', `/v1/subjects/${id}/consent-withdrawals`, { purposes: 'all', receivedOn: '2026-11-25' })).status).toBe(201);
      }
      await own.settled(); // both erasures are in the queue the scheduler reads
      await fromNewerBuild('u-due-1', 'PartialDestructionDemanded', 1, own);
      own.clock.set(almaty('2027-03-01')); // both long due (30 working days after 2026-11-25, §2.10)
      await expect(own.app.get(ErasureScheduler).tick()).resolves.toMatchObject({ acted: true, started: 1, shredded: 1 });
      const types = async (id: string) => (await own.call('auditor', 'GET', `/v1/subjects/${id}/history`));
      expect((await types('u-due-2')).body.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['ErasureStarted', 'DataKeyShredded']));
      expect((await types('u-due-1')).status).toBe(503);
      expect(own.logs()).toContain('erasure scheduler: skipped a subject whose history a newer build wrote; upgrade this instance');
    } finally {
      await own.close();
    }
  });
});
