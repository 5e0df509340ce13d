import fc from 'fast-check';
import { MAX_BODY_DEPTH, nestsDeeperThan } from './json-body';

/** depth as the definition reads: a scalar 0, an object or array one more than its deepest child */
const depth = (v: unknown): number =>
  v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0;

describe('how deep a request body nests (API 1.28.0)', () => {
  it('says a value nests deeper than k exactly when its depth exceeds k', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, k) => {
      expect(nestsDeeperThan(value, k)).toBe(depth(value) > k);
    }));
  });

  it('walks a value nested far deeper than any stack allows without overflowing', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
    expect(nestsDeeperThan(deep, MAX_BODY_DEPTH)).toBe(true);
  });

  it('leaves room for every body the API takes (at most 3 levels)', () => {
    const transfer = { recipientId: 'kz-partner', purpose: 'service-provision', categories: ['email-address'], form: 'identifiable', transferredAt: '2026-11-25T09:00:00Z' };
    expect(depth(transfer)).toBeLessThan(MAX_BODY_DEPTH);
    expect(nestsDeeperThan(transfer, MAX_BODY_DEPTH)).toBe(false);
  });
});
