import fc from 'fast-check';
import { specification } from '../../test/specification';
import { fold } from '../decider';
import { DomainError } from '../errors';
import { findPolicyVersion, policyDecider, type PolicyEvent, type PublishPolicyVersion } from './policy.decider';

const spec = specification(policyDecider);
const now = new Date('2026-03-02T06:00:00Z');
const sha = 'a'.repeat(64);
const publish = (version: string, publishedAt: string, at = now): PublishPolicyVersion =>
  ({ type: 'PublishPolicyVersion', now: at, data: { version, textSha256: sha, publishedAt: new Date(publishedAt) } });
const published = (version: string, publishedAt: string): PolicyEvent =>
  ({ type: 'PolicyVersionPublished', data: { version, textSha256: sha, publishedAt, clause: '§1.4' } });

describe('policy decider (§1.4)', () => {
  it('publishes a version with the hash of its text and its publication instant', () =>
    spec.given([]).when(publish('2026-01', '2026-01-10T00:00:00Z')).then([published('2026-01', '2026-01-10T00:00:00.000Z')]));
  it('refuses a version published twice', () =>
    spec.given([published('2026-01', '2026-01-10T00:00:00.000Z')]).when(publish('2026-01', '2026-02-10T00:00:00Z')).thenThrows('POLICY_VERSION_EXISTS', '§1.4'));
  it('refuses a publication in the future, takes one at this instant', () => {
    spec.given([]).when(publish('2026-03', '2026-03-02T06:00:00.001Z')).thenThrows('DATE_IN_FUTURE');
    spec.given([]).when(publish('2026-03', '2026-03-02T06:00:00Z')).then([published('2026-03', '2026-03-02T06:00:00.000Z')]);
  });
  it('refuses a version dated before the one published last (the 7 days of §1.4 run from publication), takes one at the same instant', () => {
    const given = [published('2026-02', '2026-02-10T00:00:00.000Z')];
    spec.given(given).when(publish('2026-01', '2026-02-09T23:59:59.999Z')).thenThrows('OUT_OF_ORDER');
    spec.given(given).when(publish('2026-02b', '2026-02-10T00:00:00Z')).then([published('2026-02b', '2026-02-10T00:00:00.000Z')]);
  });

  it('property: whatever is asked, the published versions are unique, in publication order, none in the future, each found by name', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const request = fc.record({ version: fc.constantFrom('v1', 'v2', 'v3', 'v4', 'v5', 'v6'), offsetMs: fc.integer({ min: 0, max: 90 * 86_400_000 }) });
    fc.assert(fc.property(fc.array(request, { maxLength: 20 }), fc.integer({ min: 0, max: 90 * 86_400_000 }), (requests, nowOffset) => {
      const at = new Date(start + nowOffset);
      let events: PolicyEvent[] = [];
      for (const r of requests) {
        const state = fold(policyDecider, events);
        const command = publish(r.version, new Date(start + r.offsetMs).toISOString(), at);
        const refusal = state.versions.some((v) => v.version === r.version) ? 'POLICY_VERSION_EXISTS'
          : start + r.offsetMs > at.getTime() ? 'DATE_IN_FUTURE'
            : state.versions.length > 0 && Date.parse(state.versions.at(-1)!.publishedAt) > start + r.offsetMs ? 'OUT_OF_ORDER'
              : null;
        try {
          events = [...events, ...policyDecider.decide(command, state)];
          expect(refusal).toBeNull();
        } catch (e) {
          expect(e).toBeInstanceOf(DomainError);
          expect((e as DomainError).code).toBe(refusal);
        }
      }
      const { versions } = fold(policyDecider, events);
      expect(new Set(versions.map((v) => v.version)).size).toBe(versions.length);
      const times = versions.map((v) => Date.parse(v.publishedAt));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      for (const v of versions) {
        expect(Date.parse(v.publishedAt)).toBeLessThanOrEqual(at.getTime());
        expect(findPolicyVersion(fold(policyDecider, events), v.version)).toEqual(v);
      }
      expect(findPolicyVersion(fold(policyDecider, events), 'never-published')).toBeNull();
    }));
  });
});
