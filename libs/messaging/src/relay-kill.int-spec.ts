import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { SqliteEventStore } from '@ledger/event-store';
import { defaultTopics } from './contract';
import { SqliteRelayCheckpoint } from './relay';
import { appendSyntheticHistory } from './testing/synthetic-history';

const brokers = process.env.LEDGER_TEST_KAFKA_BROKERS;
const maybe = brokers ? describe : describe.skip;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const start = (args: string[]): ChildProcess =>
  spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'testing/relay-process.ts'), ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, SWC_NODE_PROJECT: join(__dirname, '../../../tsconfig.json') },
  });
const exited = (child: ChildProcess) => new Promise<NodeJS.Signals | number | null>((r) => child.once('exit', (code, signal) => r(signal ?? code)));

maybe('relay process killed mid-run', () => {
  it('kill -9 while relaying 10,000 events, then restart: none lost, duplicates only with the same ce_id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-kill-'));
    const storeFile = join(dir, 'events.db');
    const store = new SqliteEventStore({ filename: storeFile, clock: () => new Date('2026-11-25T00:00:00Z') });
    const ids = await appendSyntheticHistory(store, 2000, 'k');
    const head = await store.headPosition();
    const prefix = `k${randomUUID().slice(0, 8)}`;
    const args = [storeFile, join(dir, 'relay.db'), brokers!, prefix];
    const checkpoint = new SqliteRelayCheckpoint(join(dir, 'relay.db'));

    const first = start(args);
    const firstExit = exited(first);
    while ((await checkpoint.load()) < head / 5n) await sleep(10);
    first.kill('SIGKILL');
    expect(await firstExit).toBe('SIGKILL');
    const killedAt = await checkpoint.load();
    expect(killedAt).toBeLessThan(head);

    expect(await exited(start(args))).toBe(0); // the restart finishes from the checkpoint
    expect(await checkpoint.load()).toBe(head);

    const kafka = new Kafka({ clientId: 'kill-check', brokers: brokers!.split(','), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `kill-${randomUUID()}` });
    await consumer.connect();
    // the concern topics, where every one of these events has its message
    await consumer.subscribe({ topics: [defaultTopics(prefix).consent.name, defaultTopics(prefix).personalData.name], fromBeginning: true });
    const seen = new Set<string>();
    const known = new Set(ids);
    let strangers = 0;
    await new Promise<void>((resolve) => void consumer.run({
      eachMessage: async ({ message }) => {
        const id = String(message.headers?.ce_id);
        if (!known.has(id)) strangers++;
        seen.add(id);
        if (seen.size === ids.length) resolve();
      },
    }));
    await consumer.disconnect();
    expect(seen.size).toBe(10_000);
    expect(strangers).toBe(0);
    await checkpoint.close();
    await store.close();
  }, 180_000);
});
