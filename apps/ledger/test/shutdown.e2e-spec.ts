import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { shutDown } from '../src/health/shutdown';
import { ROOT_LOGGER } from '../src/infrastructure/logger';
import { grantBody, KEYS, seedReferenceData, startLedger, type Ledger } from './harness';

/**
 * Graceful shutdown (ARCHITECTURE §8; docs/operations.md, Shutdown), over a real socket,
 * as a signal runs it (main.ts → shutDown): readiness fails at once while the instance
 * serves on through LEDGER_SHUTDOWN_GRACE_MS; then a request already running finishes,
 * and one still arriving on its connection is answered 503 SHUTTING_DOWN as a problem
 * with Retry-After and Connection: close (it was Fastify's own body); the log says when
 * shutdown began and that the store was closed.
 */
describe('graceful shutdown (e2e, real socket)', () => {
  let l: Ledger;
  afterAll(() => l.close().catch(() => undefined));

  it('fails readiness, serves through the grace period, finishes the running request and refuses the next as a problem', async () => {
    // the API alone: no projector in this process, so the read models stay where they are
    l = await startLedger('2026-11-25T05:00:00Z', { LEDGER_READ_WAIT_MS: '1500', LEDGER_ROLES: 'api' });
    await seedReferenceData(l);
    const written = await l.command('service', '/v1/subjects/sd-1/consents', grantBody());
    expect(written.status).toBe(201);
    await l.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (l.app.getHttpServer().address() as AddressInfo).port;

    const get = (path: string) => [`GET ${path} HTTP/1.1`, 'Host: ledger', `Authorization: Bearer ${KEYS.auditor}`, '', ''].join('\r\n');
    // One connection kept busy: its first request waits for a position written but never
    // projected here (LEDGER_READ_WAIT_MS), so closing the server does not drop it as
    // idle; the second request is sent on it once the server is closing.
    const socket = connect(port, '127.0.0.1', () => socket.write(get(`/v1/subjects/sd-1?minPosition=${written.body.position}`)));
    const replies = new Promise<string>((resolve, reject) => {
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d) => (text += d));
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
    });
    await new Promise((r) => setTimeout(r, 100));
    expect((await l.call(null, 'GET', '/health/ready')).status).toBe(200);

    const stopped = shutDown(l.app, l.app.get(ROOT_LOGGER), 400, 'SIGTERM');
    // during the grace period: not ready, and still serving
    expect((await l.call(null, 'GET', '/health/ready')).body).toMatchObject({ status: 503, code: 'SHUTTING_DOWN' });
    expect((await l.command('service', '/v1/subjects/sd-2/consents', grantBody())).status).toBe(201);

    // past the grace period, the server is closing
    for (let i = 0; !l.logs().includes('shutting down: stopping the workers'); i++) {
      if (i > 200) throw new Error('shutdown did not begin');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 100));
    socket.write(get('/v1/subjects/sd-1'));
    const text = await replies;
    await stopped;
    const responses = text.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    // the running request was answered as it would have been
    expect(responses[0]).toMatch(/^HTTP\/1\.1 503 /);
    expect(responses[0]).toContain('"code":"READ_MODEL_BEHIND"');
    // the next one was not started: a problem, with Retry-After, and the connection closed
    const [head, body] = responses[1]!.split('\r\n\r\n') as [string, string];
    expect(head).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
    expect(head.toLowerCase()).toContain('content-type: application/problem+json');
    expect(head.toLowerCase()).toContain('retry-after: 1');
    expect(head.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(body)).toMatchObject({ status: 503, code: 'SHUTTING_DOWN', type: 'urn:privacy-ledger:problem:shutting-down' });

    const messages = l.logs().split('\n').filter(Boolean).map((x) => (JSON.parse(x) as { msg: string }).msg);
    const requested = messages.findIndex((m) => m.startsWith('shutdown requested'));
    const began = messages.findIndex((m) => m.startsWith('shutting down: stopping the workers'));
    const closed = messages.findIndex((m) => m.startsWith('stopped: every acknowledged append is on disk'));
    expect(requested).toBeGreaterThanOrEqual(0);
    expect(began).toBeGreaterThan(requested);
    expect(closed).toBeGreaterThan(began);
  }, 15_000);
});
