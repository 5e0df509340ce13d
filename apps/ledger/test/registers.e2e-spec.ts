import { grantBody, holdReadModels, seedReferenceData, startLedger, type Ledger } from './harness';

const transfer = (recipientId: string, over: Record<string, unknown> = {}) => ({
  recipientId, purpose: 'service-provision', categories: ['email-address'], form: 'pseudonymised', transferredAt: '2026-11-25T04:00:00Z', ...over,
});

describe('registers from the read models', () => {
  let l: Ledger;
  beforeAll(async () => {
    l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_READ_WAIT_MS: '300' });
    await seedReferenceData(l);
    // consents given on 19 November: before the transfer of 24 November (§3.2) and before
    // the withdrawal r-c sends on 20 November (§2.7)
    l.clock.set('2026-11-19T00:00:00Z');
    for (const s of ['r-a', 'r-b', 'r-c']) await l.command('service', `/v1/subjects/${s}/consents`, grantBody({ crossBorderTransfer: true }));
    l.clock.set('2026-11-25T05:00:00Z');
    await l.command('service', '/v1/subjects/r-a/transfers', transfer('kz-partner'));
    await l.command('service', '/v1/subjects/r-a/transfers', transfer('de-processor', { categories: ['phone-number'] }));
    await l.command('service', '/v1/subjects/r-b/transfers', transfer('de-processor', { form: 'identifiable' }));
    await l.command('service', '/v1/subjects/r-c/transfers', transfer('kz-partner', { transferredAt: '2026-11-24T04:00:00Z' }));
    await l.command('service', '/v1/subjects/r-b/consent-withdrawals', { purposes: 'all', receivedOn: '2026-11-25' });
    await l.command('service', '/v1/subjects/r-c/consent-withdrawals', { purposes: 'all', receivedOn: '2026-11-20' });
    await l.command('service', '/v1/subjects/r-a/agreement-termination', { endedOn: '2026-11-24', reason: 'contract-ended' });
    await l.settled();
  });
  afterAll(() => l.close());

  it('filters the transfers register by cross-border, country, subject, category, form and time', async () => {
    const ids = async (q: string) => (await l.read('auditor', `/v1/transfers${q}`)).body.items.map((t: { subjectId: string; recipientCountry: string }) => `${t.subjectId}:${t.recipientCountry}`);
    expect(await ids('')).toEqual(['r-a:KZ', 'r-a:DE', 'r-b:DE', 'r-c:KZ']);
    expect(await ids('?crossBorder=true')).toEqual(['r-a:DE', 'r-b:DE']);
    expect(await ids('?crossBorder=false')).toEqual(['r-a:KZ', 'r-c:KZ']);
    expect(await ids('?country=de')).toEqual(['r-a:DE', 'r-b:DE']);
    expect(await ids('?subjectId=r-a')).toEqual(['r-a:KZ', 'r-a:DE']);
    expect(await ids('?category=phone-number')).toEqual(['r-a:DE']);
    expect(await ids('?form=identifiable')).toEqual(['r-b:DE']);
    expect(await ids('?to=2026-11-25T00:00:00Z')).toEqual(['r-c:KZ']);
    expect(await ids('?recipientId=kz-partner&from=2026-11-25T00:00:00Z')).toEqual(['r-a:KZ']);
    // API 1.25.0: bounds are compared as instants, whatever their offset; a date is the
    // start of that day in Kazakhstan (UTC+5). The transfers are at 04:00Z on the 24th and
    // 25th, 09:00 in Kazakhstan. Before, bounds were compared as text: 09:00+05:00 (04:00Z)
    // left out the transfer at 04:00:00.000Z, and so did 04:00:00Z itself ("Z" > ".").
    expect(await ids('?recipientId=kz-partner&from=2026-11-25T09:00:00%2B05:00')).toEqual(['r-a:KZ']);
    expect(await ids('?recipientId=kz-partner&from=2026-11-25T04:00:00Z')).toEqual(['r-a:KZ']);
    expect(await ids('?recipientId=kz-partner&from=2026-11-25T09:00:00.001%2B05:00')).toEqual([]);
    expect(await ids('?recipientId=kz-partner&from=2026-11-25')).toEqual(['r-a:KZ']);
    expect(await ids('?recipientId=kz-partner&to=2026-11-25')).toEqual(['r-c:KZ']);
    expect(await ids('?recipientId=kz-partner&from=2026-11-24T09:00%2B05:00&to=2026-11-25T09:00%2B05:00')).toEqual(['r-c:KZ']);
  });

  it('walks every page with cursors, no row twice, none missed', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await l.read('auditor', `/v1/transfers?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...r.body.items.map((t: { transferId: string }) => t.transferId));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect((await l.read('auditor', '/v1/transfers?cursor=not-a-cursor')).body).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
  });

  it('serves registers as CSV: header, every row, text/csv attachment', async () => {
    const r = await l.read('auditor', '/v1/transfers?format=csv&crossBorder=true');
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toContain('text/csv');
    expect(String(r.headers['content-disposition'])).toContain('transfers.csv');
    const lines = r.raw.trim().split('\n');
    expect(lines[0]).toBe('transferId,subjectId,recipientId,recipientCountry,crossBorder,purpose,categories,form,transferredAt,position');
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).every((line) => line.includes(',DE,true,'))).toBe(true);
    const erasures = await l.read('regulator', '/v1/erasures?format=csv');
    expect(erasures.raw.trim().split('\n')).toHaveLength(3);
    const consents = await l.read('admin', '/v1/consents?format=csv&status=withdrawn');
    expect(consents.raw.trim().split('\n').slice(1).map((x) => x.split(',')[0])).toEqual(['r-b', 'r-c']);
    // every register that pages answers CSV when asked (these two answered JSON until 1.21.0)
    expect((await l.command('service', '/v1/subjects/r-b/policy-acceptances', { policyVersion: '2026-01', mode: 'explicit', at: '2026-11-20T09:00:00Z' })).status).toBe(201);
    const acceptances = await l.read('auditor', '/v1/policy-versions/2026-01/acceptances?format=csv');
    expect(String(acceptances.headers['content-type'])).toContain('text/csv');
    expect(String(acceptances.headers['content-disposition'])).toContain('acceptances-2026-01.csv');
    expect(acceptances.raw.trim().split('\n')).toEqual(['subjectId,policyVersion,mode,acceptedAt', 'r-b,2026-01,explicit,2026-11-20T09:00:00.000Z']);
    const recipients = await l.read('regulator', '/v1/recipients?format=csv');
    expect(String(recipients.headers['content-type'])).toContain('text/csv');
    expect(recipients.raw.trim().split('\n')).toEqual([
      'recipientId,name,kind,country,crossBorder,confidentialityAgreementInForce,agreements',
      'de-processor,Processor GmbH,processor,DE,true,true,NDA-2', 'kz-partner,Partner LLP,partner,KZ,false,true,NDA-1',
    ]);
  });

  it('shows the erasure queue with due dates, and marks an erasure overdue once its day has passed (§2.10)', async () => {
    const queue = await l.read('auditor', '/v1/erasures?status=scheduled');
    expect(queue.body.items.map((e: { subjectId: string; dueOn: string }) => [e.subjectId, e.dueOn])).toEqual([
      ['r-c', '2027-01-06'], ['r-b', '2027-01-12'],
    ]);
    l.clock.set('2027-01-07T06:00:00Z');
    const overdue = await l.read('auditor', '/v1/erasures?status=overdue');
    expect(overdue.body.items.map((e: { subjectId: string; status: string; overdue: boolean }) => [e.subjectId, e.status, e.overdue])).toEqual([['r-c', 'scheduled', true]]);
    l.clock.set('2026-11-25T05:00:00Z');
  });

  it('lists the retention schedule and consents by purpose and status (§2.6, §2.3)', async () => {
    const retention = await l.read('auditor', '/v1/retention?endsBefore=2030-01-01');
    expect(retention.body.items).toEqual([{ subjectId: 'r-a', agreementEndedOn: '2026-11-24', retentionEndsOn: '2029-11-24', status: 'active' }]);
    const active = await l.read('auditor', '/v1/consents?purpose=service-provision&status=active');
    expect(active.body.items.map((c: { subjectId: string }) => c.subjectId)).toEqual(['r-a']);
  });

  it('lists the subjects register by agreement state, blocking, erasure and policy version in force (§1.4, §2.5, §2.7, §2.10)', async () => {
    expect((await l.command('service', '/v1/subjects/r-b/restrictions', { reason: 'accuracy-contested', requestedOn: '2026-11-25' })).status).toBe(201);
    const ours = ['r-a', 'r-b', 'r-c'];
    const ids = async (q: string) => (await l.read('auditor', `/v1/subjects${q}`)).body.items
      .map((s: { subjectId: string }) => s.subjectId).filter((id: string) => ours.includes(id));
    const views = await Promise.all(ours.map(async (id) => (await l.read('auditor', `/v1/subjects/${id}`)).body));
    const where = (pick: (v: { agreement: { state: string }; restricted: boolean; status: string; policy: { version: string } }) => boolean) =>
      views.filter(pick).map((v) => v.subjectId);

    expect(views.map((v) => v.agreement.state)).toEqual(['terminated', expect.any(String), expect.any(String)]);
    expect(await ids('')).toEqual(ours);
    expect(await ids('?restricted=true')).toEqual(['r-b']);
    expect(await ids('?restricted=false')).toEqual(['r-a', 'r-c']);
    for (const state of ['active', 'suspended', 'terminated']) expect(await ids(`?agreementState=${state}`)).toEqual(where((v) => v.agreement.state === state));
    expect(await ids('?agreementState=terminated')).toEqual(['r-a']);
    expect(await ids('?status=active&policyVersion=2026-01')).toEqual(ours);
    expect(await ids('?status=erased')).toEqual([]);
    expect(await ids('?policyVersion=2099-01')).toEqual([]);

    const page = await l.read('auditor', '/v1/subjects?restricted=true');
    expect(page.body.items).toEqual([expect.objectContaining({
      subjectId: 'r-b', status: 'active', restricted: true, policyVersion: '2026-01', erasedAt: null, openErasureId: expect.any(String),
    })]);
    const csv = await l.read('regulator', '/v1/subjects?format=csv&restricted=true');
    expect(String(csv.headers['content-disposition'])).toContain('subjects.csv');
    expect(csv.raw.trim().split('\n')).toEqual([
      'subjectId,status,erasedAt,agreementState,agreementEndedOn,retentionEndsOn,restricted,policyVersion,policyAcceptedAs,policyAcceptedAt,openErasureId,openObligations,activeLegalHolds',
      expect.stringMatching(/^r-b,active,,\w+,/),
    ]);
    expect((await l.call('service', 'GET', '/v1/subjects')).status).toBe(403);
    expect((await l.read('auditor', '/v1/subjects?agreementState=gone')).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('tells a lapsed consent from an active one, as of today in Kazakhstan (§2.10, Law 94-V Art. 8)', async () => {
    await l.command('service', '/v1/subjects/lapse-1/consents', grantBody({ purposes: ['product-promotion'], validUntil: '2026-11-30' }));
    await l.settled();
    const promotion = async (status: string) =>
      (await l.read('auditor', `/v1/consents?purpose=product-promotion&status=${status}`)).body.items.map((c: { subjectId: string; status: string }) => [c.subjectId, c.status]);
    expect(await promotion('active')).toEqual([['lapse-1', 'active']]);
    expect(await promotion('lapsed')).toEqual([]);
    l.clock.set('2026-11-30T18:59:59Z'); // 23:59:59 on its last day in Almaty
    expect(await promotion('active')).toEqual([['lapse-1', 'active']]);
    l.clock.set('2026-11-30T19:00:00Z'); // 1 December in Almaty
    expect(await promotion('active')).toEqual([]);
    expect(await promotion('lapsed')).toEqual([['lapse-1', 'lapsed']]);
    const csv = await l.read('auditor', '/v1/consents?format=csv&purpose=product-promotion');
    expect(csv.raw).toContain('lapse-1,product-promotion,consent,lapsed,');
    l.clock.set('2026-11-25T05:00:00Z');
  });

  it('lists recipients with their agreements, and policy versions with their implied-acceptance moment', async () => {
    const recipients = await l.read('service', '/v1/recipients');
    expect(recipients.body.items.map((r: { recipientId: string; crossBorder: boolean; confidentialityAgreementInForce: boolean }) =>
      [r.recipientId, r.crossBorder, r.confidentialityAgreementInForce])).toEqual([['de-processor', true, true], ['kz-partner', false, true]]);
    expect((await l.read('admin', '/v1/recipients/kz-partner')).body).toMatchObject({ country: 'KZ', agreements: [{ reference: 'NDA-1' }] });
    expect((await l.read('admin', '/v1/recipients/nobody')).status).toBe(404);
    const versions = await l.read('regulator', '/v1/policy-versions');
    expect(versions.body.versions).toEqual([expect.objectContaining({ version: '2026-01', impliedAcceptanceFrom: '2026-01-17T19:00:00.000Z' })]);
  });

  it('answers 503 READ_MODEL_BEHIND when asked to wait for a position written and not yet projected', async () => {
    const held = holdReadModels(l);
    try {
      const written = await l.command('service', '/v1/subjects/r-e/consents', grantBody());
      expect(written.status).toBe(201);
      const r = await l.call('auditor', 'GET', `/v1/transfers?minPosition=${written.body.position}`);
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.body).toMatchObject({ code: 'READ_MODEL_BEHIND', requestedPosition: written.body.position });
      expect(BigInt(r.body.currentPosition)).toBeLessThan(BigInt(written.body.position));
    } finally {
      held.release();
    }
    // once the projector can commit again, the same read answers
    await l.settled();
    expect((await l.read('auditor', '/v1/consents?subjectId=r-e')).body.items).toHaveLength(1);
  });

  it('answers 400 POSITION_NOT_WRITTEN at once for a position past the event store\'s head: no wait can reach it (HTTP 1.33.0)', async () => {
    const head = BigInt((await l.call('admin', 'GET', '/v1/operations/projections')).body.projections[0].head as string);
    for (const url of ['/v1/transfers', '/v1/subjects/r-a', '/v1/policy-versions', '/v1/erasures?format=csv']) {
      const r = await l.call('auditor', 'GET', `${url}${url.includes('?') ? '&' : '?'}minPosition=${head + 1n}`);
      expect({ url, status: r.status, body: r.body }).toEqual({
        url, status: 400, body: expect.objectContaining({ code: 'POSITION_NOT_WRITTEN', requestedPosition: String(head + 1n), headPosition: String(head) }),
      });
      expect(r.headers['retry-after']).toBeUndefined();
    }
    // the head itself is written: it is answered
    expect((await l.call('auditor', 'GET', `/v1/transfers?minPosition=${head}`)).status).toBe(200);
  });

  it('takes a position another process wrote for written: an API replica on the same store waits for it, and refuses only what no process wrote', async () => {
    const replica = await startLedger('2026-11-25T05:00:00Z', { LEDGER_ROLES: 'api', LEDGER_READ_WAIT_MS: '2000' }, l.dataDir);
    try {
      for (let i = 0; i < 3; i++) {
        // written through this instance, read at once through the replica (its own connections)
        const written = await l.command('service', `/v1/subjects/r-x${i}/consents`, grantBody());
        const read = await replica.call('auditor', 'GET', `/v1/consents?subjectId=r-x${i}&minPosition=${written.body.position}`);
        expect({ status: read.status, items: read.body.items?.length }).toEqual({ status: 200, items: 1 });
        const past = await replica.call('auditor', 'GET', `/v1/consents?minPosition=${BigInt(written.body.position) + 1n}`);
        expect(past.body).toMatchObject({ status: 400, code: 'POSITION_NOT_WRITTEN', headPosition: written.body.position });
      }
    } finally {
      await replica.close({ keepData: true });
    }
  });

  it('says in Ledger-Position how far the read models behind an answer had got, CSV exports included', async () => {
    const head = (await l.call('admin', 'GET', '/v1/operations/projections')).body.projections[0].head as string;
    for (const url of ['/v1/transfers', '/v1/erasures?format=csv', '/v1/subjects/r-a', '/v1/recipients', '/v1/policy-versions']) {
      expect({ url, position: (await l.call('auditor', 'GET', url)).headers['ledger-position'] }).toEqual({ url, position: head });
    }
    // a later write: the header moves with the read models, and a read that waited for the
    // write's position says at least that
    const written = await l.command('service', '/v1/subjects/r-d/consents', grantBody());
    const waited = await l.call('auditor', 'GET', `/v1/consents?subjectId=r-d&minPosition=${written.body.position}`);
    expect(waited.body.items).toHaveLength(1);
    expect(BigInt(waited.headers['ledger-position'] as string)).toBeGreaterThanOrEqual(BigInt(written.body.position));
    expect(BigInt(written.body.position)).toBeGreaterThan(BigInt(head));
    // not on what the event store answers, nor on a refusal
    expect((await l.call('auditor', 'GET', '/v1/subjects/r-a/history')).headers['ledger-position']).toBeUndefined();
    const refused = await l.call('auditor', 'GET', '/v1/transfers?minPosition=999999');
    expect(refused.headers['ledger-position']).toBeUndefined();
    expect(refused.status).toBe(400);
  });

  it('reports projection lag for monitoring', async () => {
    const r = await l.call('admin', 'GET', '/v1/operations/projections');
    expect(r.body.projections[0]).toMatchObject({ name: 'read-models', eventsBehind: 0, secondsBehind: 0, checkpointInStore: true });
    expect(r.body.projections[0].checkpoint).toBe(r.body.projections[0].head);
  });

  it('keeps registers to the roles that keep records', async () => {
    expect((await l.call('service', 'GET', '/v1/transfers')).status).toBe(403);
    expect((await l.call('service', 'GET', '/v1/operations/projections')).status).toBe(403);
  });
});
