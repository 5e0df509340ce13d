import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReadModelQueries } from '@ledger/read-models';
import { ReadModelSwitch } from '../src/read-side/read-model-switch';
import { grantBody, KEYS, seedReferenceData, startLedger, type Ledger } from './harness';

const SUBJECTS = 1_500; // more than one page of 1,000: an export reads at least two

/**
 * Runs `between` once, just before the second page of a register is read — by whatever
 * the export reads through — and then lets that page be read.
 */
function beforeSecondPage(method: 'consents' | 'subjects', between: () => Promise<void>) {
  const read = ReadModelQueries.prototype[method] as (...args: unknown[]) => Promise<unknown>;
  let pages = 0;
  return jest.spyOn(ReadModelQueries.prototype, method).mockImplementation(async function (this: ReadModelQueries, ...args: unknown[]) {
    if (++pages === 2) await between();
    return read.apply(this, args);
  } as never);
}

// A regulator's CSV export is the register as it stood at one point of the history, the one
// its Ledger-Position names, though the projector commits batches while it is sent
// (HTTP 1.22.0; before, each page of 1,000 rows was read as the tables then stood).
describe('CSV exports read one snapshot', () => {
  let l: Ledger;
  const open = () => l.app.get(ReadModelSwitch).current.openSnapshots;

  beforeAll(async () => {
    l = await startLedger('2026-11-25T05:00:00Z');
    await seedReferenceData(l);
    for (let i = 0; i < SUBJECTS; i++) {
      const r = await l.command('service', `/v1/subjects/s-${String(i).padStart(4, '0')}/consents`, grantBody());
      if (r.status !== 201) throw new Error(`seeding: ${r.status}`);
    }
    await l.settled();
  }, 120_000);
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => l.close());

  it('holds every row at the position it names while later writes are projected between its pages', async () => {
    const head = BigInt((await l.call('admin', 'GET', '/v1/operations/projections')).body.projections[0].head);
    // between the pages: the last subject (on the last page) withdraws, and one subject
    // sorting first and one sorting last consent; the projector applies all three
    const last = `s-${SUBJECTS - 1}`;
    const writes: { body: { position: string } }[] = [];
    const spy = beforeSecondPage('consents', async () => {
      writes.push(
        await l.command('service', `/v1/subjects/${last}/consent-withdrawals`, { purposes: 'all', receivedOn: '2026-11-25' }),
        await l.command('service', '/v1/subjects/a-first/consents', grantBody()),
        await l.command('service', '/v1/subjects/z-last/consents', grantBody()),
      );
      await l.settled();
    });
    const exported = await l.call('auditor', 'GET', '/v1/consents?format=csv');
    spy.mockRestore();
    expect(writes).toHaveLength(3);
    expect(exported.headers['ledger-position']).toBe(head.toString());
    for (const w of writes) expect(BigInt(w.body.position)).toBeGreaterThan(head);
    // the writes were projected before the export's second page was read
    expect((await l.read('auditor', `/v1/consents?subjectId=${last}`)).body.items[0].status).toBe('withdrawn');

    const rows = exported.raw.trim().split('\n').slice(1).map((line) => line.split(','));
    expect(rows).toHaveLength(SUBJECTS);
    expect(rows.map((r) => r[0])).not.toContain('a-first');
    expect(rows.map((r) => r[0])).not.toContain('z-last');
    expect(rows.find((r) => r[0] === last)?.[3]).toBe('active'); // as it stood at the named position
    expect(open()).toBe(0);

    // a new export stands for the new position and has the writes
    const next = await l.call('auditor', 'GET', '/v1/consents?format=csv');
    expect(next.headers['ledger-position']).toBe(writes.at(-1)!.body.position);
    expect(next.raw.trim().split('\n')).toHaveLength(SUBJECTS + 3);
  });

  it('lets go of its snapshot when the client goes away mid-export, and after a HEAD', async () => {
    await l.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = l.app.getHttpServer().address() as AddressInfo;
    let gone!: () => void;
    const clientGone = new Promise<void>((r) => (gone = r));
    beforeSecondPage('subjects', () => clientGone);
    await new Promise<void>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', path: '/v1/subjects?format=csv', headers: { authorization: `Bearer ${KEYS.auditor}` } }, (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', () => {
          expect(open()).toBe(1); // the export is held before its second page
          void l.call('admin', 'GET', '/metrics').then((m) => {
            expect(m.raw).toMatch(/^ledger_read_snapshots_open 1$/m);
            req.destroy();
            resolve();
          }, reject);
        });
      });
      req.on('error', () => undefined);
      req.setTimeout(10_000, () => reject(new Error('no data')));
      req.end();
    });
    gone();
    for (let i = 0; open() > 0 && i < 400; i++) await new Promise((r) => setTimeout(r, 5));
    expect(open()).toBe(0);
    expect((await l.call('admin', 'GET', '/metrics')).raw).toMatch(/^ledger_read_snapshots_open 0$/m);

    const head = await l.app.inject({ method: 'HEAD', url: '/v1/transfers?format=csv', headers: { authorization: `Bearer ${KEYS.auditor}` } });
    expect(head.statusCode).toBe(200);
    expect(head.headers['ledger-position']).toBeDefined();
    for (let i = 0; open() > 0 && i < 400; i++) await new Promise((r) => setTimeout(r, 5));
    expect(open()).toBe(0);
  });
});

describe('CSV exports at once, LEDGER_EXPORTS_MAX', () => {
  let l: Ledger;
  beforeAll(async () => {
    l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_EXPORTS_MAX: '1' });
    await seedReferenceData(l);
    await l.command('service', '/v1/subjects/s-1/consents', grantBody());
    await l.settled();
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => l.close());

  it('answers one export more than allowed with 503 EXPORTS_BUSY, and takes it again once one has ended', async () => {
    await l.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = l.app.getHttpServer().address() as AddressInfo;
    let finish!: () => void;
    const held = new Promise<void>((r) => (finish = r));
    const read = ReadModelQueries.prototype.consents;
    jest.spyOn(ReadModelQueries.prototype, 'consents').mockImplementationOnce(async function (this: ReadModelQueries, ...args) {
      await held; // the first export waits here, its snapshot held
      return read.apply(this, args);
    });
    const first = new Promise<string>((resolve, reject) => {
      request({ port, host: '127.0.0.1', path: '/v1/consents?format=csv', headers: { authorization: `Bearer ${KEYS.auditor}` } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += String(c)));
        res.on('end', () => resolve(text));
      }).on('error', reject).end();
    });
    for (let i = 0; l.app.get(ReadModelSwitch).current.openSnapshots === 0 && i < 400; i++) await new Promise((r) => setTimeout(r, 5));

    const busy = await l.call('auditor', 'GET', '/v1/transfers?format=csv');
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.body).toMatchObject({ code: 'EXPORTS_BUSY' });
    expect((await l.call('auditor', 'GET', '/v1/consents')).status).toBe(200); // a JSON page holds no snapshot

    finish();
    expect((await first).trim().split('\n')).toHaveLength(2);
    const again = await l.call('auditor', 'GET', '/v1/transfers?format=csv');
    expect(again.status).toBe(200);
  });
});
