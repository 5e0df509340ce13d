import { hash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import type { EventMetadata } from './event-store.port';

/**
 * RFC 8785 (JCS) for the JSON values events hold. JCS is JSON.stringify's serialisation of
 * strings and numbers with object keys sorted by UTF-16 code unit; safe-stable-stringify,
 * deterministic, sorts keys exactly so (`<` on strings, or Array#sort) and serialises
 * strings and numbers as JSON.stringify does; strict, it throws on what JSON cannot
 * hold (NaN, Infinity, bigint, functions) and on cycles, as JCS requires. It is ≈2.5×
 * faster than json-canonicalize, which the store used before and which hash-chain.spec
 * keeps as the reference the output must equal, byte for byte, on generated values.
 */
const jcs = configure({ deterministic: true, strict: true, bigint: false, circularValue: Error });

/**
 * SHA-256 of a text's UTF-8 bytes, in hex: Node's one-shot `hash` (1.1–1.7 µs for a 600-byte
 * event input, against 2.3–2.8 µs for createHash().update().digest(), which builds a Hash object).
 */
const sha256Hex = (text: string): string => hash('sha256', text, 'hex');

/** prevHash of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

export interface HashableEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Omit<EventMetadata, 'hash'> & { readonly hash?: string };
}

/**
 * ARCHITECTURE §5 — SHA-256 over the RFC 8785 canonical JSON of stream id, revision, type,
 * data (ciphertext as stored), metadata without `hash`, and `prevHash`. Any change to any
 * of these, or a removed, inserted or reordered event, breaks the chain from there on.
 */
export function hashEvent(e: HashableEvent): string {
  const { hash: _ignored, ...metadata } = e.metadata;
  const text = canonical({
    streamId: e.streamId,
    revision: e.revision.toString(),
    type: e.type,
    data: e.data,
    metadata,
    prevHash: e.metadata.prevHash,
  });
  return sha256Hex(text);
}

/**
 * The same hash from parts already in canonical form: RFC 8785 sorts the wrapper's keys
 * (data, metadata, prevHash, revision, streamId, type) and serialises strings as JSON
 * does, so concatenating canonical parts gives exactly `hashEvent`'s input. Lets the
 * store canonicalise each event once and keep the canonical text it stores.
 */
export function hashCanonicalParts(p: {
  streamId: string;
  revision: bigint;
  type: string;
  canonicalData: string;
  canonicalMetadataWithoutHash: string;
  prevHash: string;
}): string {
  const input = `{"data":${p.canonicalData},"metadata":${p.canonicalMetadataWithoutHash},"prevHash":${JSON.stringify(p.prevHash)},"revision":"${p.revision}","streamId":${JSON.stringify(p.streamId)},"type":${JSON.stringify(p.type)}}`;
  return sha256Hex(input);
}

/** The RFC 8785 canonical JSON text of a JSON value; throws on anything else. */
export function canonical(value: unknown): string {
  const text = jcs(value);
  if (text === undefined) throw new Error('value is not JSON-serialisable');
  return text;
}

/** The members `canonicalWith` writes, in order, for one pair of key lists. */
interface MergedShape {
  readonly objectKeys: readonly string[];
  readonly extraKeys: readonly string[];
  readonly members: readonly { readonly key: string; readonly quotedKey: string; readonly fromExtra: boolean }[];
}
/**
 * The shapes seen last, the newest first: the service's metadata objects come in a few
 * shapes (with a `policyVersion` or without), each with its keys in one order.
 */
const recentShapes: MergedShape[] = [];
const RECENT_SHAPES = 8;

const sameKeys = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => k === b[i]);

function mergedShape(object: object, extra: object): MergedShape {
  const objectKeys = Object.keys(object);
  const extraKeys = Object.keys(extra);
  for (const shape of recentShapes) {
    if (sameKeys(objectKeys, shape.objectKeys) && sameKeys(extraKeys, shape.extraKeys)) return shape;
  }
  const keys = [...objectKeys, ...extraKeys.filter((k) => !objectKeys.includes(k))].sort();
  const shape = { objectKeys, extraKeys, members: keys.map((key) => ({ key, quotedKey: `${JSON.stringify(key)}:`, fromExtra: extraKeys.includes(key) })) };
  recentShapes.unshift(shape);
  if (recentShapes.length > RECENT_SHAPES) recentShapes.pop();
  return shape;
}

/**
 * `canonical({ ...object, ...extra })` without building the merged object: the store adds
 * `recordedAt` and `prevHash` to every event's metadata, and spreading a metadata object
 * into a new one cost more than canonicalising it (≈4.5 µs an event that way, ≈1.1 µs
 * this way; docs/benchmarks.md, session 16). Only the top level is walked here — keys
 * sorted by UTF-16 code unit as RFC 8785 requires (Array#sort's default order), and that
 * order kept for later calls with the same key lists (the last 8 pairs); strings, finite numbers, booleans
 * and null serialised as JSON.stringify serialises them (RFC 8785 §3.2.2); undefined
 * members left out — and any other value goes to `canonical`, which also refuses what
 * JSON cannot hold. hash-chain.spec checks it against `canonical` of the merged object on
 * generated values of changing shapes.
 */
export function canonicalWith(object: object, extra: Readonly<Record<string, unknown>>): string {
  let text = '';
  for (const m of mergedShape(object, extra).members) {
    const v = m.fromExtra ? extra[m.key] : (object as Record<string, unknown>)[m.key];
    if (v === undefined) continue;
    const serialised = typeof v === 'string' || typeof v === 'boolean' || v === null || (typeof v === 'number' && Number.isFinite(v))
      ? JSON.stringify(v)
      : canonical(v);
    text += `${text === '' ? '{' : ','}${m.quotedKey}${serialised}`;
  }
  return text === '' ? '{}' : `${text}}`;
}

export interface ChainBreak {
  readonly revision: bigint;
  readonly reason: 'hash-mismatch' | 'prev-hash-mismatch' | 'revision-gap';
}

/** Where a stream's chain stands: the revision and `prevHash` its next event must have. */
export interface ChainHead {
  readonly revision: bigint;
  readonly hash: string;
}
export const CHAIN_START: ChainHead = { revision: 0n, hash: GENESIS_HASH };

/** Checks one event against the head of its stream's chain; the reason it breaks, or null. */
export function checkLink(e: HashableEvent & { readonly metadata: EventMetadata }, head: ChainHead): ChainBreak['reason'] | null {
  if (e.revision !== head.revision) return 'revision-gap';
  if (e.metadata.prevHash !== head.hash) return 'prev-hash-mismatch';
  if (hashEvent(e) !== e.metadata.hash) return 'hash-mismatch';
  return null;
}

/** Verifies one stream's chain; returns the first break, or null. */
export function verifyChain(events: readonly (HashableEvent & { readonly metadata: EventMetadata })[]): ChainBreak | null {
  let head = CHAIN_START;
  for (const e of events) {
    const reason = checkLink(e, head);
    if (reason) return { revision: e.revision, reason };
    head = { revision: e.revision + 1n, hash: e.metadata.hash };
  }
  return null;
}
