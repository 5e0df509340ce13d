import { grantBody, seedReferenceData, startLedger, type Ledger } from './harness';

interface BadRequest {
  readonly name: string;
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly code: string;
  /** who calls (default: the service role) */
  readonly role?: 'service' | 'auditor' | 'admin';
}

const idem = { 'idempotency-key': 'bad-input-key-0001' };
const json = { 'content-type': 'application/json', ...idem };

const CASES: BadRequest[] = [
  { name: 'malformed JSON', url: '/v1/subjects/u-1/consents', body: '{"purposes": ["service-provision"', headers: json, status: 400, code: 'MALFORMED_JSON' },
  { name: 'JSON that is not an object', url: '/v1/subjects/u-1/consents', body: '[1,2,3]', headers: json, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'empty JSON body', url: '/v1/subjects/u-1/consents', body: '', headers: json, status: 400, code: 'MALFORMED_JSON' },
  { name: 'unknown field', url: '/v1/subjects/u-1/consents', body: { ...grantBody(), isAdmin: true }, headers: idem, status: 400, code: 'VALIDATION_FAILED' },
  // HTTP 1.34.0: a field named after a member of Object.prototype was skipped by
  // class-transformer, unseen by the whitelist, and the command recorded (201)
  ...['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'].map((field): BadRequest => ({
    name: `unknown field named ${field}`, url: '/v1/subjects/u-1/consents',
    body: JSON.stringify(grantBody()).replace(/^\{/, `{${JSON.stringify(field)}:"x",`), headers: json, status: 400,
    code: field === '__proto__' ? 'MALFORMED_JSON' : 'VALIDATION_FAILED',
  })),
  ...['constructor', 'toString', '__proto__'].map((field): BadRequest => ({
    name: `unknown query parameter named ${field}`, role: 'auditor', method: 'GET', url: `/v1/consents?${field}=1`, status: 400, code: 'VALIDATION_FAILED',
  })),
  // HTTP 1.34.0: the commands that take no fields ignored whatever body came with them
  ...[
    ['restriction-lifts', { reason: 'subject-request' }], ['restriction-lifts', [1]], ['restriction-lifts', 'lift'], ['restriction-lifts', null],
    ['obligations/o-1/settlement', { paid: true }], ['legal-holds/h-1/release', { note: 'x' }],
  ].map(([path, body]): BadRequest => ({
    name: `a body for a command that takes no fields: ${path} ${JSON.stringify(body)}`, url: `/v1/subjects/u-1/${path as string}`,
    body: JSON.stringify(body), headers: json, status: 400, code: 'VALIDATION_FAILED',
  })),
  { name: 'oversized body', url: '/v1/subjects/u-1/personal-data', body: { category: 'other', source: 'subject', value: 'x'.repeat(20_000) }, headers: idem, status: 413, code: 'BODY_TOO_LARGE' },
  { name: 'oversized value', url: '/v1/subjects/u-1/personal-data', body: { category: 'other', source: 'subject', value: 'x'.repeat(5000) }, headers: idem, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'oversized array', url: '/v1/subjects/u-1/consents', body: grantBody({ categories: Array(40).fill('email-address') }), headers: idem, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'duplicate array items', url: '/v1/subjects/u-1/consents', body: grantBody({ purposes: ['service-provision', 'service-provision'] }), headers: idem, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'empty array', url: '/v1/subjects/u-1/consents', body: grantBody({ purposes: [] }), headers: idem, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'purpose outside §2.3', url: '/v1/subjects/u-1/consents', body: grantBody({ purposes: ['selling-data'] }), headers: idem, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'wrong type: boolean as string', url: '/v1/subjects/u-1/consents', body: grantBody({ thirdPartyTransfer: 'yes' }), headers: idem, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'wrong type: array as string', url: '/v1/subjects/u-1/consents', body: grantBody({ categories: 'email-address' }), headers: idem, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'wrong type: number as date', url: '/v1/subjects/u-1/consent-withdrawals', body: { purposes: 'all', receivedOn: 20261125 }, headers: idem, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'impossible date', url: '/v1/subjects/u-1/consent-withdrawals', body: { purposes: 'all', receivedOn: '2026-02-30' }, headers: idem, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'receipt date in the future', url: '/v1/subjects/u-1/consent-withdrawals', body: { purposes: 'all', receivedOn: '2026-11-26' }, headers: idem, status: 400, code: 'DATE_IN_FUTURE' },
  { name: 'transfer time in the future', url: '/v1/subjects/u-1/transfers', body: { recipientId: 'kz-partner', purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: '2026-12-01T00:00:00Z' }, headers: idem, status: 400, code: 'DATE_IN_FUTURE' },
  // ISO 8601 forms that are not instants: the ordinal and week dates answered 500 (Date
  // could not parse what the validator let through); the others were read as midnight UTC,
  // and a time without an offset in the server's own zone (API 1.25.0)
  ...['2026-329', '2026-W48-3', '2026-11', '2026-11-25', '2026-11-25T04:00:00', '2026-11-25 04:00:00Z', '2026-11-25T24:00Z', '2026-11-25T04:00:00+25:00'].map((transferredAt): BadRequest => ({
    name: `not an instant with its offset: transferredAt ${transferredAt}`, url: '/v1/subjects/u-1/transfers',
    body: { recipientId: 'kz-partner', purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt }, headers: idem, status: 400, code: 'VALIDATION_FAILED',
  })),
  { name: 'not an instant: publishedAt as an ordinal date', url: '/v1/policy-versions', body: { version: '2027-01', textSha256: 'b'.repeat(64), publishedAt: '2026-329' }, headers: idem, role: 'admin', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'transfers register: a range that ends before it starts', method: 'GET', url: '/v1/transfers?from=2026-11-25&to=2026-11-01', role: 'auditor', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'transfers register: a bound that is not an instant or a date', method: 'GET', url: '/v1/transfers?from=2026-W48', role: 'auditor', status: 400, code: 'VALIDATION_FAILED' },
  // JSON is UTF-8 (API 1.26.0): each of these was recorded with U+FFFD in place of what was sent
  { name: 'a charset other than UTF-8', url: '/v1/subjects/u-1/personal-data', body: Buffer.from('{"category":"email-address","source":"subject","value":"Ern\xe9"}', 'latin1'), headers: { ...idem, 'content-type': 'application/json; charset=ISO-8859-1' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'bytes that are not UTF-8', url: '/v1/subjects/u-1/personal-data', body: Buffer.from('{"category":"email-address","source":"subject","value":"Ern\xe9"}', 'latin1'), headers: json, status: 400, code: 'MALFORMED_JSON' },
  { name: 'a lone surrogate in a personal-data value', url: '/v1/subjects/u-1/personal-data', body: '{"category":"email-address","source":"subject","value":"\\ud800abc"}', headers: json, status: 400, code: 'VALIDATION_FAILED' },
  // nested thousands deep within the size limit, it overflowed the validator's stack: a 500 (API 1.28.0)
  { name: 'a body nested 7,000 deep', url: '/v1/subjects/u-1/consents', body: JSON.stringify(grantBody()).replace('"purposes":["service-provision"]', `"purposes":${'['.repeat(7000)}${']'.repeat(7000)}`), headers: json, status: 400, code: 'BODY_TOO_DEEP' },
  { name: 'a body nested 17 deep', url: '/v1/subjects/u-1/obligations', body: `{"obligationId":"o-d","kind":"invoice","x":${'{"a":'.repeat(16)}1${'}'.repeat(16)}}`, headers: json, status: 400, code: 'BODY_TOO_DEEP' },
  // a NUL stopped the PostgreSQL projector on that event for good (API 1.29.0)
  ...['Acme\u0000Corp', 'Acme\nCorp', 'Acme\u0085Corp'].map((name, i): BadRequest => ({
    name: `a control character in a recipient's name (${i + 1})`, url: '/v1/recipients', body: { recipientId: `ctl-${i}`, name, kind: 'partner', country: 'KZ' }, headers: idem, role: 'admin', status: 400, code: 'VALIDATION_FAILED',
  })),
  { name: 'email as subject id', url: '/v1/subjects/alice%40example.kz/consents', body: grantBody(), headers: idem, status: 400, code: 'INVALID_ID' },
  { name: 'phone as subject id', url: '/v1/subjects/%2B77011234567/consents', body: grantBody(), headers: idem, status: 400, code: 'INVALID_ID' },
  { name: 'digits-only phone as subject id', url: '/v1/subjects/77011234567/consents', body: grantBody(), headers: idem, status: 400, code: 'INVALID_ID' },
  { name: 'IIN-like id inside a subject id', url: '/v1/subjects/user-900101300123/consents', body: grantBody(), headers: idem, status: 400, code: 'INVALID_ID' },
  { name: 'over-long subject id', url: `/v1/subjects/${'a'.repeat(65)}/consents`, body: grantBody(), headers: idem, status: 400, code: 'INVALID_ID' },
  { name: 'email as recipient id in a body', url: '/v1/subjects/u-1/transfers', body: { recipientId: 'bob@partner.kz', purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: '2026-11-25T00:00:00Z' }, headers: idem, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'free text where a slug is required', url: '/v1/subjects/u-1/obligations', body: { obligationId: 'o-1', kind: 'Alice Smith owes us' }, headers: idem, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'missing Idempotency-Key', url: '/v1/subjects/u-1/consents', body: grantBody(), status: 400, code: 'IDEMPOTENCY_KEY_REQUIRED' },
  { name: 'malformed Idempotency-Key', url: '/v1/subjects/u-1/consents', body: grantBody(), headers: { 'idempotency-key': 'short' }, status: 400, code: 'IDEMPOTENCY_KEY_INVALID' },
  // X-Correlation-Id is kept in every event, never erased: a phone number in it is refused (HTTP 1.32.0)
  { name: 'X-Correlation-Id with a phone number', url: '/v1/subjects/u-1/consents', body: grantBody(), headers: { ...idem, 'x-correlation-id': 'sms-77017463829' }, status: 400, code: 'CORRELATION_ID_INVALID' },
  { name: 'X-Correlation-Id that is a 16-digit number', url: '/v1/subjects/u-1/consents', body: grantBody(), headers: { ...idem, 'x-correlation-id': '4400123412341234' }, status: 400, code: 'CORRELATION_ID_INVALID' },
  { name: 'X-Correlation-Id with an email', url: '/v1/subjects/u-1/consents', body: grantBody(), headers: { ...idem, 'x-correlation-id': 'a@b.kz' }, status: 400, code: 'CORRELATION_ID_INVALID' },
  { name: 'malformed If-Match', url: '/v1/subjects/u-1/consents', body: grantBody(), headers: { ...idem, 'if-match': 'latest' }, status: 400, code: 'IF_MATCH_INVALID' },
  { name: 'compressed body', url: '/v1/subjects/u-1/consents', body: grantBody(), headers: { ...idem, 'content-encoding': 'gzip' }, status: 415, code: 'UNSUPPORTED_CONTENT_ENCODING' },
  { name: 'bad percent-encoding in the path', url: '/v1/subjects/%E0%A4%A/consents', body: grantBody(), headers: idem, status: 400, code: 'MALFORMED_URL' },
  { name: 'path parameter longer than the router allows', method: 'GET', url: `/v1/subjects/${'a'.repeat(200)}`, status: 414, code: 'PATH_PARAMETER_TOO_LONG' },
  { name: 'text body', url: '/v1/subjects/u-1/consents', body: 'purposes=all', headers: { ...idem, 'content-type': 'text/plain' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'history page too large', method: 'GET', url: '/v1/subjects/u-1/history?limit=5000', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'history page not a number', method: 'GET', url: '/v1/subjects/u-1/history?fromRevision=abc', status: 400, code: 'VALIDATION_FAILED' },
  // API 1.30.0: a number in a query string is decimal digits; Number() read these as 16, 100, 3, 7 and 0
  { name: 'register page size in hexadecimal', role: 'auditor', method: 'GET', url: '/v1/consents?limit=0x10', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'register page size in exponent form', role: 'auditor', method: 'GET', url: '/v1/transfers?limit=1e2', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'register page size in binary', role: 'auditor', method: 'GET', url: '/v1/subjects?limit=0b11', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'history page size with a space', method: 'GET', url: '/v1/subjects/u-1/history?limit=%207', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'history revision empty', method: 'GET', url: '/v1/subjects/u-1/history?fromRevision=', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'history revision past a safe integer', method: 'GET', url: '/v1/subjects/u-1/history?fromRevision=99999999999999999999', status: 400, code: 'VALIDATION_FAILED' },
  // HTTP 1.33.0: a position no command answered with — it waited, then 503 READ_MODEL_BEHIND
  { name: 'minPosition past the event store\'s head', role: 'auditor', method: 'GET', url: '/v1/subjects/u-1?minPosition=9999999999', status: 400, code: 'POSITION_NOT_WRITTEN' },
  { name: 'minPosition not a position', role: 'auditor', method: 'GET', url: '/v1/transfers?minPosition=-1', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'unknown route', method: 'GET', url: '/v1/nothing-here', status: 404, code: 'NOT_FOUND' },
  { name: 'a method the path does not take', method: 'DELETE', url: '/v1/subjects/u-1', status: 405, code: 'METHOD_NOT_ALLOWED' },
  { name: 'PUT where a command is POSTed', method: 'PUT', url: '/v1/subjects/u-1/consents', body: grantBody(), headers: idem, status: 405, code: 'METHOD_NOT_ALLOWED' },
  { name: 'policy refusal: category not consented', url: '/v1/subjects/u-1/personal-data', body: { category: 'face-image', source: 'subject', value: 'jpeg...' }, headers: idem, status: 422, code: 'CATEGORY_NOT_COVERED' },
  { name: 'policy refusal: unknown policy version', url: '/v1/subjects/u-2/consents', body: grantBody({ policyVersion: '1999-01' }), headers: idem, status: 422, code: 'POLICY_VERSION_UNKNOWN' },
];

describe('bad input: a 4xx problem, and the data directory (events, key vault, read models) byte-for-byte unchanged', () => {
  let l: Ledger;
  beforeAll(async () => {
    l = await startLedger();
    await seedReferenceData(l);
    await l.command('service', '/v1/subjects/u-1/consents', grantBody());
  });
  afterAll(() => l.close());

  it.each(CASES)('$name → $status $code', async (c) => {
    await l.settled();
    const before = l.fingerprint();
    const r = await l.call(c.role ?? 'service', c.method ?? 'POST', c.url, c.body, c.headers);
    expect(r.status).toBe(c.status);
    expect(String(r.headers['content-type'])).toContain('application/problem+json');
    expect([r.headers['cache-control'], r.headers['x-content-type-options']]).toEqual(['no-store', 'nosniff']);
    expect(r.body).toMatchObject({ status: c.status, code: c.code, type: expect.stringMatching(/^urn:privacy-ledger:problem:/), title: expect.any(String) });
    expect(l.fingerprint()).toEqual(before);
  });

  it('answers 405 with the methods the path takes in Allow (RFC 9110 §15.5.6)', async () => {
    const erase = await l.call('admin', 'DELETE', '/v1/subjects/u-1');
    expect(erase.headers.allow).toBe('GET, HEAD');
    const put = await l.call('service', 'PUT', '/v1/subjects/u-1/consents', grantBody(), idem);
    expect(put.headers.allow).toBe('POST');
    expect(put.body.detail).toBe('this path takes POST');
    // a path the API does not have stays 404, with no Allow
    const unknown = await l.call('service', 'DELETE', '/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.allow).toBeUndefined();
  });

  it('never echoes a refused path: the problem names the route pattern', async () => {
    const r = await l.call('service', 'POST', '/v1/subjects/alice%40example.kz/consents', grantBody(), idem);
    expect(r.body).toMatchObject({ code: 'INVALID_ID', instance: '/v1/subjects/:subjectId/consents' });
    expect(r.raw).not.toMatch(/alice|example/);
  });

  it('takes UTF-8, declared or not, and gives back exactly the characters sent (API 1.26.0)', async () => {
    // Kazakh letters (two bytes each in UTF-8) and a letter outside the BMP (a surrogate pair)
    const value = 'Әлия Қасымова 𝔸';
    for (const [i, contentType] of ['application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"'].entries()) {
      const body = Buffer.from(JSON.stringify({ category: 'email-address', source: 'subject', value: `${value} ${i}` }), 'utf8');
      const r = await l.call('service', 'POST', '/v1/subjects/u-1/personal-data', body, { 'content-type': contentType, 'idempotency-key': `utf8-round-trip-${i}` });
      expect(r.status).toBe(201);
      const view = await l.read('service', '/v1/subjects/u-1');
      expect(view.body.personalData).toContainEqual(expect.objectContaining({ category: 'email-address', value: { visible: true, value: `${value} ${i}` } }));
    }
  });

  it('names the failing fields, never their values', async () => {
    const r = await l.call('service', 'POST', '/v1/subjects/u-1/personal-data', { category: 'email-address', source: 'rumour', value: 'secret-value-123' }, idem);
    expect(r.body.errors).toEqual([{ field: 'source', rules: ['isIn'] }]);
    expect(r.raw).not.toContain('secret-value-123');
    expect(r.raw).not.toContain('rumour');
  });

  it('names an unknown field as sent only when it reads like a field name: a key is input too (HTTP 1.34.0)', async () => {
    for (const [url, body] of [
      ['/v1/subjects/u-1/consents', { ...grantBody(), 'aigerim.s@example.kz': true, '+77011234567': 1, isAdmin: true }],
      ['/v1/subjects/u-1/restriction-lifts', { 'aigerim.s@example.kz': true, '+77011234567': 1, isAdmin: true }],
      ['/v1/subjects/u-1/personal-data', { category: 'email-address', source: 'subject', value: 'v', '+77011234567': 1, toString: 'x', isAdmin: true }],
    ] as const) {
      const r = await l.call('service', 'POST', url, JSON.stringify(body), json);
      expect(r.status).toBe(400);
      expect(r.raw).not.toMatch(/aigerim|77011234567/);
      const named = (r.body.errors as { field: string }[]).map((e) => e.field);
      expect(named).toContain('isAdmin');
      expect(named).toContain('(unknown field)');
    }
    const query = await l.call('auditor', 'GET', '/v1/consents?aigerim%40example.kz=1');
    expect(query.status).toBe(400);
    expect(query.raw).not.toContain('aigerim');
  });

  it('names a field named after an Object.prototype member beside the other failing fields, in one answer', async () => {
    const body = JSON.stringify({ toString: 'secret-value-456', category: 'email-address', source: 'rumour', value: 'v' });
    const r = await l.call('service', 'POST', '/v1/subjects/u-1/personal-data', body, json);
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ field: 'toString', rules: ['whitelistValidation'] }, { field: 'source', rules: ['isIn'] }]);
    expect(r.raw).not.toContain('secret-value-456');
  });
});
