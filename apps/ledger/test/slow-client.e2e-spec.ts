import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { grantBody, KEYS, seedReferenceData, startLedger, type Ledger } from './harness';

/**
 * §4.8 (protection against attacks): a client that trickles its request holds a socket
 * for no longer than LEDGER_REQUEST_TIMEOUT_MS; then the server answers 408 and closes.
 * Headers over the limit and bytes that are not HTTP are refused before routing as well.
 * Each is an RFC 9457 problem like every other error (HTTP 1.14.0), logged and counted by
 * its code, never with the bytes received. Over a real socket, since all of this lives in
 * the HTTP server, not in the routes.
 */
describe('slow and malformed clients (e2e, real socket)', () => {
  let l: Ledger;
  let port: number;
  beforeAll(async () => {
    l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_REQUEST_TIMEOUT_MS: '500' });
    await seedReferenceData(l);
    await l.app.listen({ port: 0, host: '127.0.0.1' });
    port = (l.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => l.close());

  /** a personal-data value a client might send: it must not come back or reach the logs */
  const CANARY = 'CANARYxclientxerrorxAigerim';
  const problemOf = (reply: string) => JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

  /** Sends `head` and `body` at once, then waits for the server to answer and close. */
  const exchange = (head: string, body: string) => new Promise<{ reply: string; ms: number }>((resolve, reject) => {
    const started = Date.now();
    let reply = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(head + body));
    socket.setEncoding('utf8');
    socket.on('data', (d) => (reply += d));
    socket.on('error', reject);
    const giveUp = setTimeout(() => socket.destroy(), 10_000);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ reply, ms: Date.now() - started });
    });
  });
  const post = (path: string, body: string, declaredLength = Buffer.byteLength(body)) => [
    `POST ${path} HTTP/1.1`, 'Host: ledger', 'Content-Type: application/json', `Authorization: Bearer ${KEYS.service}`,
    'Idempotency-Key: slow-client-0001', `Content-Length: ${declaredLength}`, 'Connection: close', '', '',
  ].join('\r\n');

  it('answers 408 and closes the socket when the body does not arrive in time, and writes nothing', async () => {
    await l.settled();
    const before = l.fingerprint();
    const body = JSON.stringify(grantBody());
    const { reply, ms } = await exchange(post('/v1/subjects/slow-1/consents', body, body.length + 50), body);
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(reply).toContain('\r\ncache-control: no-store\r\n');
    expect(problemOf(reply)).toEqual(expect.objectContaining({ status: 408, code: 'REQUEST_TIMEOUT', type: 'urn:privacy-ledger:problem:request-timeout' }));
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(5_000);
    expect(l.fingerprint()).toEqual(before);
  });

  it('answers 431 as a problem when the headers are over the limit, without logging them', async () => {
    const before = l.fingerprint();
    const body = JSON.stringify(grantBody());
    const head = post('/v1/subjects/big-headers/consents', body).replace('\r\n\r\n', `\r\nX-Note: ${CANARY.repeat(1_000)}\r\n\r\n`);
    const { reply } = await exchange(head, body);
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(problemOf(reply)).toEqual(expect.objectContaining({ status: 431, code: 'HEADERS_TOO_LARGE' }));
    expect(l.fingerprint()).toEqual(before);
    expect(l.logs()).toContain('"code":"HEADERS_TOO_LARGE"');
    expect(l.logs()).not.toContain(CANARY);
  });

  it('answers 400 MALFORMED_REQUEST to bytes that are not HTTP, never echoing or logging them', async () => {
    const { reply } = await exchange(`${CANARY} /v1/subjects HTTP/1.1\r\nHost: ledger\r\n\r\n`, '');
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(reply.split('\r\n')).toContain('Content-Type: application/problem+json');
    expect(problemOf(reply)).toEqual(expect.objectContaining({ status: 400, code: 'MALFORMED_REQUEST' }));
    expect(reply).not.toContain(CANARY);
    expect(l.logs()).toContain('"code":"MALFORMED_REQUEST"');
    expect(l.logs()).not.toContain(CANARY);
  });

  it('counts the refusals by code in /metrics', async () => {
    const metrics = await l.call('admin', 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    for (const code of ['REQUEST_TIMEOUT', 'HEADERS_TOO_LARGE', 'MALFORMED_REQUEST']) {
      expect(metrics.raw).toMatch(new RegExp(`ledger_http_client_errors_total\\{code="${code}"\\} [1-9]`));
    }
  });

  it('serves a whole request over the same server as usual', async () => {
    const body = JSON.stringify(grantBody());
    const { reply } = await exchange(post('/v1/subjects/slow-2/consents', body), body);
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 201 Created');
  });
});
