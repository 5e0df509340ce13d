import type { UnreadableReason } from '@ledger/crypto';
import { isLedgerEventType, registrationOf } from '@ledger/domain';
import type { CommandResult } from '../infrastructure/decision-runner';

/** What a response shows in place of a sealed personal-data value. */
export type SealedView =
  | { readonly visible: false }
  | { readonly visible: true; readonly value: string }
  | { readonly visible: true; readonly erased: true; readonly erasedAt: string }
  /** a value that is not erased, yet no key opens (API 1.23.0; `UnreadableReason`) */
  | { readonly visible: true; readonly unreadable: true; readonly reason: UnreadableReason };

/**
 * An event's data as a response may show it: each sealed field replaced by `reveal`'s
 * answer (by default "not visible": ciphertext is no business of an HTTP caller).
 */
export async function eventDataView(
  type: string,
  data: unknown,
  reveal: (field: string, sealed: unknown) => Promise<SealedView> = async () => ({ visible: false }),
): Promise<unknown> {
  if (!isLedgerEventType(type) || registrationOf(type).sealed.length === 0) return data;
  const view: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const field of registrationOf(type).sealed) view[field] = await reveal(field, view[field]);
  return view;
}

/** The body every command answers with; bigints as decimal strings (KurrentDB positions exceed 2^53). */
export async function commandResponse(r: CommandResult) {
  return {
    streamId: r.streamId,
    revision: r.revision.toString(),
    position: r.position.toString(),
    replayed: r.replayed,
    events: await Promise.all(r.events.map(async (e) => ({
      eventId: e.eventId,
      type: e.type,
      revision: e.revision.toString(),
      position: e.position.toString(),
      data: await eventDataView(e.type, e.data),
    }))),
  };
}
