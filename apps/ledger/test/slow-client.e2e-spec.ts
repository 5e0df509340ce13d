import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { grantBody, KEYS, seedReferenceData, startLedger, type Ledger } from './harness';

/**
 * §4.8 (protection against attacks): a client that trickles its request holds a socket
 * for no longer than LEDGER_REQUEST_TIMEOUT_MS; then Node answers 408 and closes. Over a
 * real socket, since the timeout lives in the HTTP server, not in the routes.
 */
describe('slow clients (e2e, real socket)', () => {
  let l: Ledger;
  let port: number;
  beforeAll(async () => {
    l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_REQUEST_TIMEOUT_MS: '500' });
    await seedReferenceData(l);
    await l.app.listen({ port: 0, host: '127.0.0.1' });
    port = (l.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => l.close());

  /** Sends `head` and `body` at once, then waits for the server to answer and close. */
  const exchange = (head: string, body: string) => new Promise<{ reply: string; ms: number }>((resolve, reject) => {
    const started = Date.now();
    let reply = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(head + body));
    socket.setEncoding('utf8');
    socket.on('data', (d) => (reply += d));
    socket.on('error', reject);
    socket.on('close', () => resolve({ reply, ms: Date.now() - started }));
    setTimeout(() => socket.destroy(), 10_000);
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
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(5_000);
    expect(l.fingerprint()).toEqual(before);
  });

  it('serves a whole request over the same server as usual', async () => {
    const body = JSON.stringify(grantBody());
    const { reply } = await exchange(post('/v1/subjects/slow-2/consents', body), body);
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 201 Created');
  });
});
