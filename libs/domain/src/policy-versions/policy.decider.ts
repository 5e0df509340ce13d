import type { Decider } from '../decider';
import { assertNever } from '../decider';
import { invalid, refused } from '../errors';

/** The `policy` stream: published versions of the privacy policy (§1.4). */
export type PolicyVersionPublished = Readonly<{
  type: 'PolicyVersionPublished';
  data: Readonly<{ version: string; textSha256: string; publishedAt: string; clause: '§1.4' }>;
}>;
export type PolicyEvent = PolicyVersionPublished;

export type PublishPolicyVersion = Readonly<{
  type: 'PublishPolicyVersion';
  data: Readonly<{ version: string; textSha256: string; publishedAt: Date }>;
  now: Date;
}>;
export type PolicyCommand = PublishPolicyVersion;

export interface PolicyState {
  readonly versions: readonly { readonly version: string; readonly publishedAt: string; readonly textSha256: string }[];
}

export const policyDecider: Decider<PolicyCommand, PolicyEvent, PolicyState> = {
  initialState: { versions: [] },
  evolve: (s, e) => {
    switch (e.type) {
      case 'PolicyVersionPublished':
        return { versions: [...s.versions, { version: e.data.version, publishedAt: e.data.publishedAt, textSha256: e.data.textSha256 }] };
      default:
        return assertNever(e.type);
    }
  },
  decide: (c, s) => {
    switch (c.type) {
      case 'PublishPolicyVersion': {
        if (s.versions.some((v) => v.version === c.data.version)) {
          throw refused('POLICY_VERSION_EXISTS', '§1.4', 'that version has already been published');
        }
        if (c.data.publishedAt.getTime() > c.now.getTime()) throw invalid('DATE_IN_FUTURE', 'publishedAt cannot be in the future');
        const last = s.versions.at(-1);
        if (last && Date.parse(last.publishedAt) > c.data.publishedAt.getTime()) {
          throw invalid('OUT_OF_ORDER', 'a version cannot be published before the previous one');
        }
        return [{
          type: 'PolicyVersionPublished',
          data: { version: c.data.version, textSha256: c.data.textSha256, publishedAt: c.data.publishedAt.toISOString(), clause: '§1.4' },
        }];
      }
      default:
        return assertNever(c.type);
    }
  },
};

export const findPolicyVersion = (s: PolicyState, version: string) => s.versions.find((v) => v.version === version) ?? null;
