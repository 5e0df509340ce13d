/**
 * A faster record encoder for kafkajs 2.2.4, installed in the relay's producer threads.
 *
 * kafkajs (unmaintained; 2.2.4 is its last release) encodes each record of a produce
 * request into a fresh zero-filled 512-byte buffer, each of its headers into another, and
 * then copies the headers' buffers into the record's. The relay sends seven CloudEvents
 * headers with every message, so a record cost eight buffer allocations and seven copies;
 * profiled, the allocations alone were a third of the encoding (docs/benchmarks.md).
 * `encodeRecord` writes the same bytes — the record format is Kafka's, not ours — into one
 * buffer sized from the lengths kafkajs already computes. A property test holds it to
 * kafkajs's own encoder byte for byte on random records; the broker checks every batch's
 * CRC, and the relay's integration tests read every message back.
 *
 * It replaces kafkajs's `recordBatch/record/v0` module in the module cache, so it must be
 * installed before kafkajs loads its produce request; it refuses (and kafkajs keeps its own
 * encoder) for any other kafkajs version, or once that module is loaded.
 */
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The version whose record module this replaces: the format is checked against it. */
export const KAFKAJS_VERSION = '2.2.4';

/** kafkajs's Encoder, as far as records need it. */
interface KafkaEncoder {
  writeVarInt(value: number): KafkaEncoder;
  writeInt8(value: number): KafkaEncoder;
  writeVarLong(value: unknown): KafkaEncoder;
  writeVarIntBytes(value: unknown): KafkaEncoder;
  writeVarIntString(value: string): KafkaEncoder;
  readonly buffer: Buffer;
}
interface EncoderClass {
  new (initialSize?: number): KafkaEncoder;
  sizeOfVarInt(value: number): number;
  sizeOfVarLong(value: unknown): number;
  sizeOfVarIntBytes(value: unknown): number;
}

type HeaderValue = string | Buffer | null;
export interface RecordInput {
  readonly offsetDelta?: number;
  readonly timestampDelta?: unknown;
  readonly key?: string | Buffer | null;
  readonly value?: string | Buffer | null;
  readonly headers?: Readonly<Record<string, HeaderValue | readonly HeaderValue[]>>;
}

const requireFromHere = createRequire(__filename);
const root = dirname(requireFromHere.resolve('kafkajs/package.json'));
const RECORD_MODULE = requireFromHere.resolve(join(root, 'src/protocol/recordBatch/record/v0/index.js'));
const Encoder = requireFromHere(join(root, 'src/protocol/encoder.js')) as EncoderClass;

/** Record v0 (Kafka's format since 0.11) in one buffer of its exact size; kafkajs's own field order. */
export function encodeRecord({ offsetDelta = 0, timestampDelta = 0, key, value, headers = {} }: RecordInput): KafkaEncoder {
  const list: { key: string; value: HeaderValue }[] = [];
  for (const k of Object.keys(headers)) {
    const v = headers[k]!;
    if (Array.isArray(v)) for (const each of v as readonly HeaderValue[]) list.push({ key: k, value: each });
    else list.push({ key: k, value: v as HeaderValue });
  }
  let headersSize = Encoder.sizeOfVarInt(list.length);
  for (const h of list) {
    const keySize = Buffer.byteLength(h.key);
    // as in kafkajs: a null header value is measured first, so it throws (kafkajs takes none)
    const valueSize = Buffer.byteLength(h.value as string | Buffer);
    headersSize += Encoder.sizeOfVarInt(keySize) + keySize;
    headersSize += h.value === null ? Encoder.sizeOfVarInt(-1) : Encoder.sizeOfVarInt(valueSize) + valueSize;
  }
  const sizeOfBody = 1 + Encoder.sizeOfVarLong(timestampDelta) + Encoder.sizeOfVarInt(offsetDelta)
    + Encoder.sizeOfVarIntBytes(key) + Encoder.sizeOfVarIntBytes(value) + headersSize;
  const encoder = new Encoder(Encoder.sizeOfVarInt(sizeOfBody) + sizeOfBody)
    .writeVarInt(sizeOfBody)
    .writeInt8(0) // no record attributes are used
    .writeVarLong(timestampDelta)
    .writeVarInt(offsetDelta)
    .writeVarIntBytes(key)
    .writeVarIntBytes(value)
    .writeVarInt(list.length);
  for (const h of list) encoder.writeVarIntString(h.key).writeVarIntBytes(h.value);
  return encoder;
}

/**
 * Puts `encodeRecord` in place of kafkajs's record encoder for this thread's module cache.
 * True if installed; false, leaving kafkajs as it is, for another kafkajs version or when
 * kafkajs already loaded its own.
 */
export function installRecordEncoder(): boolean {
  const { version } = requireFromHere('kafkajs/package.json') as { version: string };
  if (version !== KAFKAJS_VERSION) return false;
  const cached = requireFromHere.cache[RECORD_MODULE];
  if (cached) return cached.exports === encodeRecord;
  const m = new Module(RECORD_MODULE);
  m.filename = RECORD_MODULE;
  m.loaded = true;
  m.exports = encodeRecord;
  requireFromHere.cache[RECORD_MODULE] = m;
  return true;
}
