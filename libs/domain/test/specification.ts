import type { Decider } from '../src/decider';
import { DomainError } from '../src/errors';

/**
 * given(events).when(command).then(events) | .thenRefuses(code, clause) — decider tests
 * that read as the policy does (after EventSourcing.NodeJS's decider specification).
 */
export function specification<C, E, S>(decider: Decider<C, E, S>) {
  return {
    given(events: readonly E[]) {
      const state = events.reduce(decider.evolve, decider.initialState);
      return {
        when(command: C) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: readonly E[]) {
              expect(run()).toEqual(expected);
            },
            thenEvents(assert: (events: readonly E[]) => void) {
              assert(run());
            },
            thenThrows(code: string, clause?: string) {
              let error: unknown;
              try {
                run();
              } catch (e) {
                error = e;
              }
              expect(error).toBeInstanceOf(DomainError);
              expect((error as DomainError).code).toBe(code);
              if (clause) expect((error as DomainError).clause).toBe(clause);
            },
          };
        },
      };
    },
  };
}
