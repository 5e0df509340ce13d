import fc from 'fast-check';
import { canonicalize as referenceJcs } from 'json-canonicalize';
import { canonical, canonicalWith, GENESIS_HASH, hashCanonicalParts, hashEvent, verifyChain } from './hash-chain';

const jsonValue = fc.jsonValue({ maxDepth: 3 }).filter((v) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length > 0);

describe('canonical JSON (RFC 8785)', () => {
  it('property: equals the reference implementation, byte for byte, on any JSON value', () => {
    // every string unit, so keys and values include astral characters, lone surrogates and
    // controls: the key order (UTF-16 code units) and the escaping are what could differ
    const anyJson = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });
    fc.assert(fc.property(anyJson, (v) => expect(canonical(v)).toBe(referenceJcs(v))), { numRuns: 2000 });
  });

  it('serialises numbers and orders keys as RFC 8785 prescribes', () => {
    // RFC 8785 §3.2.2.3 number examples, and §3.2.3 ordering by UTF-16 code units
    expect(canonical([1e21, 1e-7, -0, 333333333.3333333, 5e-324, 0.000001, 100, 1e+30])).toBe('[1e+21,1e-7,0,333333333.3333333,5e-324,0.000001,100,1e+30]');
    expect(canonical({ '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, '1': 4, '\u00f6': 5, '\ufb33': 6 })).toBe('{"\\r":2,"1":4,"\u00f6":5,"\u20ac":1,"\ud83d\ude00":3,"\ufb33":6}');
  });

  it('property: canonicalWith(object, extra) equals canonical({ ...object, ...extra }), byte for byte', () => {
    // objects whose keys overlap the extra ones, values of every JSON kind plus undefined
    // (left out, as JSON.stringify leaves it out); extra keys overriding the object's
    const key = fc.oneof(fc.constantFrom('recordedAt', 'prevHash', 'eventId', 'a', ''), fc.string({ unit: 'binary', maxLength: 4 }));
    const member = fc.oneof(fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' }), fc.constant(undefined));
    fc.assert(fc.property(fc.dictionary(key, member), fc.dictionary(key, member), (object, extra) => {
      expect(canonicalWith(object, extra)).toBe(canonical({ ...object, ...extra }));
    }), { numRuns: 2000 });
  });

  it('property: canonicalWith stays exact across runs of repeated and changing shapes (the key order it keeps between calls)', () => {
    // a few key lists, in different orders and overlapping the extra keys, so that calls
    // in a row share a shape, change it and come back to it; 15 pairs in all, more than
    // the 8 it keeps, so kept shapes are also dropped and built again
    const shapes = [['eventId', 'actor', 'schemaVersion'], ['actor', 'eventId', 'schemaVersion'], ['eventId', 'prevHash'], [], ['b', 'a']];
    const value = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.integer(), fc.constant(null), fc.constant(undefined), fc.jsonValue({ maxDepth: 1 }));
    const objectOf = (keys: readonly string[]) => fc.tuple(...keys.map(() => value)).map((vs) => Object.fromEntries(keys.map((k, i) => [k, vs[i]])));
    const call = fc.tuple(fc.constantFrom(...shapes), fc.constantFrom(['recordedAt', 'prevHash'], ['prevHash', 'recordedAt'], ['a']))
      .chain(([o, e]) => fc.tuple(objectOf(o), objectOf(e)));
    fc.assert(fc.property(fc.array(call, { minLength: 2, maxLength: 24 }), (calls) => {
      for (const [object, extra] of calls) expect(canonicalWith(object, extra)).toBe(canonical({ ...object, ...extra }));
    }), { numRuns: 500 });
  });

  it('canonicalWith refuses what JSON cannot hold, as canonical does', () => {
    for (const bad of [Number.NaN, Infinity, 1n, () => 1, { n: -Infinity }]) {
      expect(() => canonicalWith({ eventId: 'e' }, { recordedAt: bad })).toThrow();
      expect(() => canonicalWith({ eventId: bad }, { recordedAt: 'r' })).toThrow();
    }
  });

  it('refuses what JSON cannot hold', () => {
    for (const bad of [Number.NaN, Infinity, { n: -Infinity }, 1n, { f: () => 1 }]) expect(() => canonical(bad)).toThrow();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonical(cycle)).toThrow();
    expect(() => canonical(undefined)).toThrow();
  });
});

describe('hash chain', () => {
  it('property: hashing canonical parts equals hashing the event (what the store writes is what the verifier checks)', () => {
    fc.assert(
      fc.property(fc.string(), fc.bigInt({ min: 0n, max: 2n ** 62n }), fc.string(), fc.jsonValue(), jsonValue, fc.stringMatching(/^[0-9a-f]{64}$/),
        (streamId, revision, type, data, extra, prevHash) => {
          const metadata = { ...(extra as object), eventId: 'e', schemaVersion: 1, occurredAt: 'o', recordedAt: 'r', actor: 'a', correlationId: 'c', causationId: 'k', idempotencyKey: null, prevHash };
          const viaParts = hashCanonicalParts({ streamId, revision, type, canonicalData: canonical(data), canonicalMetadataWithoutHash: canonical(metadata), prevHash });
          expect(viaParts).toBe(hashEvent({ streamId, revision, type, data, metadata }));
        }),
    );
  });

  it('detects and locates a changed, removed or reordered event', () => {
    const events = [0n, 1n, 2n].reduce<{ streamId: string; revision: bigint; type: string; data: unknown; metadata: any }[]>((acc, revision) => {
      const prevHash = acc.at(-1)?.metadata.hash ?? GENESIS_HASH;
      const metadata = { eventId: `e${revision}`, schemaVersion: 1, occurredAt: 'o', recordedAt: 'r', actor: 'a', correlationId: 'c', causationId: 'k', idempotencyKey: null, prevHash };
      const e = { streamId: 's', revision, type: 'T', data: { n: Number(revision) }, metadata };
      return [...acc, { ...e, metadata: { ...metadata, hash: hashEvent(e) } }];
    }, []);
    expect(verifyChain(events)).toBeNull();
    expect(verifyChain(events.map((e, i) => (i === 1 ? { ...e, data: { n: 99 } } : e)))).toEqual({ revision: 1n, reason: 'hash-mismatch' });
    expect(verifyChain([events[0]!, events[2]!])).toEqual({ revision: 2n, reason: 'revision-gap' });
    expect(verifyChain([events[0]!, { ...events[2]!, revision: 1n }])).toEqual({ revision: 1n, reason: 'prev-hash-mismatch' });
  });
});
