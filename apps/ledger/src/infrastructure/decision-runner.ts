import { Inject, Injectable } from '@nestjs/common';
import { fold, registrationOf, toDomainEvent, type Decider, type LedgerEvent } from '@ledger/domain';
import { canonical, EVENT_STORE, WrongExpectedVersionError, type EventStore, type RecordedEvent } from '@ledger/event-store';
import { Pseudonymiser } from '@ledger/crypto';
import type { CommandContext } from '../http/command-context';
import { ProblemException } from '../http/problem';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from './clock';

export interface WrittenEvent {
  readonly eventId: string;
  readonly type: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly data: unknown;
}

export interface CommandResult {
  readonly streamId: string;
  /** the stream's revision after the command, the ETag of the stream */
  readonly revision: bigint;
  /** global position of the last event written: read models at or past it include it */
  readonly position: bigint;
  readonly events: readonly WrittenEvent[];
  /** true when this is a retry answered from the first result */
  readonly replayed: boolean;
}

export interface Decision<C, E, S> {
  readonly decider: Decider<C, E, S>;
  readonly streamId: string;
  readonly ctx: CommandContext;
  /** builds the command from the current state and the clock's now (the only clock read) */
  readonly command: (state: S, now: Date) => C | Promise<C>;
}

const MAX_ATTEMPTS = 5;

/**
 * The whole command path (STYLE: ~20 lines): read the stream, fold `evolve`, `decide`,
 * append with the expected revision. Idempotency lives in the stream itself: every event
 * carries keyed hashes of the Idempotency-Key and of the request, so a retry finds its first
 * result in the same read that the decision needs, on any store adapter.
 */
@Injectable()
export class DecisionRunner {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    private readonly pseudonymiser: Pseudonymiser,
  ) {}

  /** Tail of the queue of commands per stream in this process. */
  private readonly tails = new Map<string, Promise<unknown>>();

  /**
   * Commands on one stream run one after another in this process, so they never race
   * each other for a revision; commands on different streams still share group commits.
   * Other processes are caught by the expected revision, and retried.
   */
  run<C, E extends LedgerEvent, S>(d: Decision<C, E, S>): Promise<CommandResult> {
    const previous = this.tails.get(d.streamId) ?? Promise.resolve();
    const current = previous.then(() => this.decideAndAppend(d));
    const tail = current.catch(() => undefined);
    this.tails.set(d.streamId, tail);
    void tail.then(() => {
      if (this.tails.get(d.streamId) === tail) this.tails.delete(d.streamId);
    });
    return current;
  }

  private async decideAndAppend<C, E extends LedgerEvent, S>(d: Decision<C, E, S>): Promise<CommandResult> {
    const requestHash = this.pseudonymiser.token('idempotency-request', canonical(d.ctx.request));
    // The key is whatever a client chose — an order number, a phone number by mistake — and
    // events are never erased: they keep its keyed hash, never the key itself (§2.10, §4.1).
    const idempotencyKey = this.pseudonymiser.token('idempotency-key', d.ctx.idempotencyKey);
    for (let attempt = 1; ; attempt++) {
      const stored = await this.store.readStream(d.streamId);
      const replay = this.replay(d.streamId, stored, [idempotencyKey, d.ctx.idempotencyKey], requestHash);
      if (replay) return replay;

      const head = stored.at(-1)?.revision ?? null;
      if (d.ctx.expectedRevision !== null && d.ctx.expectedRevision !== head) {
        throw new WrongExpectedVersionError(d.streamId, d.ctx.expectedRevision, head ?? 'no_stream');
      }
      const state = fold(d.decider, stored.map((e) => toDomainEvent(e.type, e.metadata.schemaVersion, e.data) as E));
      const now = this.clock.now();
      const events = d.decider.decide(await d.command(state, now), state);
      if (events.length === 0) {
        // nothing to do: a repeated acknowledgement, a scheduler step already taken
        return { streamId: d.streamId, revision: head ?? 0n, position: stored.at(-1)?.position ?? 0n, events: [], replayed: false };
      }

      const commandId = this.ids.next();
      const correlationId = d.ctx.correlationId ?? commandId;
      const toAppend = events.map((e) => {
        const policyVersion = (e.data as { policyVersion?: unknown }).policyVersion;
        return {
          type: e.type,
          data: e.data,
          metadata: {
            eventId: this.ids.next(),
            schemaVersion: registrationOf(e.type).schemaVersion,
            occurredAt: now.toISOString(),
            actor: `${d.ctx.principal.role}:${d.ctx.principal.name}`,
            correlationId,
            causationId: commandId,
            idempotencyKey,
            requestHash,
            ...(typeof policyVersion === 'string' ? { policyVersion } : {}),
          },
        };
      });
      try {
        const r = await this.store.append(d.streamId, toAppend, { expectedState: head ?? 'no_stream' });
        return {
          streamId: d.streamId,
          revision: r.nextExpectedRevision,
          position: r.position,
          events: r.events.map((w, i) => ({ ...w, type: toAppend[i]!.type, data: toAppend[i]!.data })),
          replayed: false,
        };
      } catch (error) {
        // Someone else wrote first. Without If-Match the caller asked for "now": decide again.
        if (error instanceof WrongExpectedVersionError && d.ctx.expectedRevision === null && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  /**
   * The first result of this Idempotency-Key, if the stream holds one: events name the key
   * by its keyed hash (`keys[0]`), or, written before 2026-11-28, by the key itself (`keys[1]`).
   */
  private replay(streamId: string, stored: readonly RecordedEvent[], keys: readonly [string, string], requestHash: string): CommandResult | null {
    const first = stored.filter((e) => e.metadata.idempotencyKey === keys[0] || e.metadata.idempotencyKey === keys[1]);
    if (first.length === 0) return null;
    if (first.some((e) => e.metadata.requestHash !== requestHash)) {
      throw new ProblemException(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
    }
    const last = first.at(-1)!;
    return {
      streamId,
      revision: last.revision,
      position: last.position,
      events: first.map((e) => ({ eventId: e.eventId, type: e.type, revision: e.revision, position: e.position, data: e.data })),
      replayed: true,
    };
  }
}
