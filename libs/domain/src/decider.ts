/** The decider shape (emmett / EventSourcing.NodeJS): pure, no I/O, time in the command. */
export interface Decider<Command, Event, State> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  /** Returns the events to append, or throws a DomainError. */
  decide(command: Command, state: State): readonly Event[];
}

export const fold = <E, S>(decider: Pick<Decider<unknown, E, S>, 'initialState' | 'evolve'>, events: Iterable<E>): S => {
  let state = decider.initialState;
  for (const e of events) state = decider.evolve(state, e);
  return state;
};

export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
