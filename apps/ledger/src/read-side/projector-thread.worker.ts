/**
 * The projector's thread (ProjectorThread, LEDGER_PROJECTOR_THREAD): its own read-only
 * connection to the event store, its own connection to the read models, the same loop
 * as in the service's thread. It writes nothing but the read models; it logs through the
 * service's logger, and says after each batch that the read models moved.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from '@ledger/event-store';
import { Projector } from '@ledger/read-models';
import { systemClock } from '../infrastructure/clock';
import { createRootLogger } from '../infrastructure/logger';
import { ProjectorLoop } from './projector-loop';
import { readModelGenerations, ReadModelSwitch } from './read-model-switch';
import type { ProjectorThreadCommand, ProjectorThreadData, ProjectorThreadMessage } from './projector-thread';

const data = workerData as ProjectorThreadData;
const port = parentPort!;
const send = (m: ProjectorThreadMessage) => port.postMessage(m);

// each line goes to the service's logger, which writes it where its own lines go
const logger = createRootLogger(data.logLevel, { write: (line: string) => send({ kind: 'log', line }) });

/** Wakes the store's live subscription whenever the service's connection commits an append. */
async function followAppends(store: SqliteEventStore, stopped: AbortSignal): Promise<void> {
  const counter = data.appended;
  let seen = Atomics.load(counter, 0);
  while (!stopped.aborted) {
    // waitAsync: ES2024, in every Node this service supports; a timeout, so a stop is seen
    const wait = (Atomics as unknown as AtomicsWaitAsync).waitAsync(counter, 0, seen, 1000);
    if (wait.async) await wait.value;
    const now = Atomics.load(counter, 0);
    if (now !== seen) {
      seen = now;
      store.wake();
    }
  }
}

interface AtomicsWaitAsync {
  waitAsync(array: Int32Array, index: number, value: number, timeout: number): { async: false; value: string } | { async: true; value: Promise<string> };
}

async function main(): Promise<void> {
  const store = new SqliteEventStore({ filename: data.eventsFile, clock: () => systemClock.now(), readonly: true });
  const switcher = new ReadModelSwitch(readModelGenerations(data, logger), logger);
  await switcher.open(data.generationPollMs);
  const projector = new Projector(store, () => switcher.current, { clock: () => systemClock.now() });
  projector.onBatch((b) => send({ kind: 'batch', position: b.position.toString() }));
  const loop = new ProjectorLoop(projector, logger, switcher);
  switcher.onSwitch(() => loop.restart());
  const stopped = new AbortController();
  const appends = followAppends(store, stopped.signal);
  port.on('message', (m: ProjectorThreadCommand) => {
    if (m.kind === 'follow') {
      switcher.followOrSay();
      return;
    }
    stopped.abort();
    Atomics.notify(data.appended, 0); // ends followAppends' wait now
    void (async () => {
      await loop.stop();
      await appends;
      await switcher.close();
      await store.close();
      port.close(); // nothing keeps the thread alive: it ends
    })();
  });
  loop.start();
}

// A failure to start (the read models unreachable, say) ends the thread with an error:
// the service logs it and starts the thread again.
void main();
