import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { grantBody, seedReferenceData, startLedger, type Ledger } from './harness';

/** A value no code path produces by chance. */
const CANARY = 'canary-Zq81xP7-personal@example.kz';
const CANARY_PHONE = '+77017463829';
/** the phone without its `+`, as a client might put it in a header or a URL */
const PHONE_DIGITS = CANARY_PHONE.slice(1);

describe('personal data never leaves in plaintext (canary)', () => {
  let l: Ledger;
  const responses: { role: string; raw: string; headers: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    l = await startLedger();
    await seedReferenceData(l);
    const record = async (role: 'service' | 'auditor' | 'regulator' | 'admin', method: 'GET' | 'POST', url: string, body?: unknown, headers?: Record<string, string>) => {
      const r = method === 'POST' ? await l.command(role as 'service', url, body, headers) : await l.call(role, 'GET', url, body, headers);
      responses.push({ role, raw: r.raw, headers: r.headers });
      return r;
    };
    await record('service', 'POST', '/v1/subjects/u-c/consents', grantBody());
    await record('service', 'POST', '/v1/subjects/u-c/personal-data', { category: 'email-address', source: 'subject', value: CANARY });
    await record('service', 'POST', '/v1/subjects/u-c/personal-data', { category: 'phone-number', source: 'subject', value: CANARY_PHONE });
    // the same values pushed through every error path
    await record('service', 'POST', '/v1/subjects/u-c/personal-data', `{"category":"email-address","value":"${CANARY}"`, { 'content-type': 'application/json' });
    await record('service', 'POST', '/v1/subjects/u-c/personal-data', { category: 'email-address', source: 'gossip', value: CANARY });
    await record('service', 'POST', '/v1/subjects/u-c/personal-data', { category: 'face-image', source: 'subject', value: CANARY });
    await record('service', 'POST', '/v1/subjects/u-c/personal-data', { category: 'email-address', source: 'subject', value: CANARY, extra: CANARY });
    await record('service', 'POST', `/v1/subjects/${encodeURIComponent(CANARY)}/consents`, grantBody());
    await record('service', 'POST', `/v1/subjects/${encodeURIComponent(CANARY_PHONE)}/consents`, grantBody());
    await record('service', 'POST', '/v1/subjects/u-c/personal-data', { category: 'other', source: 'subject', value: `${CANARY}${'x'.repeat(20_000)}` });
    await record('service', 'POST', '/v1/subjects/u-c/consent-withdrawals', { purposes: CANARY, receivedOn: '2026-11-25' });
    // a header is anything a client typed: X-Correlation-Id is logged only when it has the shape commands accept
    await record('auditor', 'GET', '/v1/subjects/u-c', undefined, { 'x-correlation-id': CANARY });
    await record('service', 'POST', '/v1/subjects/u-c/obligations', { obligationId: 'o-c', kind: 'invoice' }, { 'x-correlation-id': CANARY_PHONE });
    // the phone's digits in the accepted characters: refused (HTTP 1.32.0), so neither in an event nor in the log
    await record('service', 'POST', '/v1/subjects/u-c/obligations', { obligationId: 'o-d', kind: 'invoice' }, { 'x-correlation-id': `sms-${PHONE_DIGITS}` });
    await record('auditor', 'GET', '/v1/subjects/u-c', undefined, { 'x-correlation-id': `sms-${PHONE_DIGITS}` });
    // every role reads the subject
    for (const role of ['service', 'auditor', 'regulator', 'admin'] as const) {
      const view = await l.read(role, '/v1/subjects/u-c');
      responses.push({ role, raw: view.raw, headers: view.headers });
      await record(role, 'GET', '/v1/subjects/u-c/history');
      // as stored, for recomputing the chain: ciphertext only
      await record(role, 'GET', '/v1/subjects/u-c/history?include=stored');
    }
    await l.app.close(); // flush and close the files before scanning them
  });
  afterAll(() => l.close().catch(() => undefined));

  const contains = (haystack: Buffer | string, needle: string) =>
    (typeof haystack === 'string' ? Buffer.from(haystack) : haystack).includes(Buffer.from(needle, 'utf8'));

  it('positive control: the service role does see the value, so the scans below can fail', () => {
    expect(responses.some((r) => r.role === 'service' && contains(r.raw, CANARY))).toBe(true);
  });

  it('is kept by no cache on the way: every answer, value or refusal, is Cache-Control: no-store and nosniff', () => {
    expect(responses.length).toBeGreaterThan(20);
    for (const r of responses) {
      expect(r.headers['cache-control']).toBe('no-store');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('is not in any file of the data directory (events, WAL, key vault, keys)', () => {
    const files = readdirSync(l.dataDir);
    expect(files).toEqual(expect.arrayContaining(['events.db', 'keyvault.db']));
    for (const f of files) {
      const bytes = readFileSync(join(l.dataDir, f));
      expect({ file: f, canary: contains(bytes, CANARY) }).toEqual({ file: f, canary: false });
      expect({ file: f, phone: contains(bytes, PHONE_DIGITS) }).toEqual({ file: f, phone: false });
    }
  });

  it('is not in the logs', () => {
    const logs = l.logs();
    expect(logs.length).toBeGreaterThan(0);
    expect(contains(logs, CANARY)).toBe(false);
    expect(contains(logs, PHONE_DIGITS)).toBe(false);
    expect(contains(logs, 'canary-Zq81xP7')).toBe(false);
  });

  it('is in no response to a role that may not see personal data, nor in any error', () => {
    const forbidden = responses.filter((r) => r.role !== 'service' || /"status":4\d\d/.test(r.raw));
    expect(forbidden.length).toBeGreaterThan(10);
    for (const r of forbidden) {
      expect(contains(r.raw, CANARY)).toBe(false);
      expect(contains(r.raw, PHONE_DIGITS)).toBe(false);
    }
  });
});
