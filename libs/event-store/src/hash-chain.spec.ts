import fc from 'fast-check';
import { canonical, GENESIS_HASH, hashCanonicalParts, hashEvent, verifyChain } from './hash-chain';

const jsonValue = fc.jsonValue({ maxDepth: 3 }).filter((v) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length > 0);

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
