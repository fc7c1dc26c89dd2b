/**
 * One way to specify a decider: given the events already recorded, when a
 * command arrives, then these events or this rejection.
 *
 *   const given = deciderSpec(walletDecider);
 *   given(opened).when(credit).then([credited]);
 *   given(opened).when(debit).then('exceeds_available');
 *   const wallet = given(opened, credited).when(hold).thenState();
 *
 * `sagaSpec` adds what a saga's driver reads from the folded state (`next`,
 * `jobs`, `summary`), and `thenGiven()` continues from the decision, so a
 * test can walk a saga step by step.
 */

/** The pure core of an aggregate: what a decider specification needs of it. */
export interface DeciderUnderTest<S, C, E, R> {
  readonly initialState: S;
  decide(command: C, state: S): E[] | R;
  evolve(state: S, event: E): S;
}

/** A saga's driver-facing reads over its folded state. */
export interface SagaUnderTest<S, C, E, R, N, J, M> extends DeciderUnderTest<S, C, E, R> {
  next(state: S, movementId: string, at: string): N[];
  jobs(state: S, movementId: string): J[];
  summary(state: S): M;
}

export interface Given<S, C, E, R, X> {
  /** The state folded from the given events. */
  readonly state: S;
  when(command: C): When<S, C, E, R, X>;
}

export interface When<S, C, E, R, X> {
  /** What the decider answered, as it is. */
  readonly decision: E[] | R;
  /** The decision equals these events, or this rejection. */
  then(expected: E[] | R): void;
  /** The decision's events match these (partial) events, in order. */
  thenMatch(expected: ReadonlyArray<Record<string, unknown>>): void;
  /** The decision's events; fails the test on a rejection. */
  thenEvents(): E[];
  /** The state after folding the decision's events; fails the test on a rejection. */
  thenState(): S;
  /** The given events followed by the decision's: the next step of the specification. */
  thenGiven(): Given<S, C, E, R, X> & X;
}

export function deciderSpec<S, C, E, R, X extends object = object>(
  decider: DeciderUnderTest<S, C, E, R>,
  reads: (state: S) => X = () => ({}) as X,
): (...events: E[]) => Given<S, C, E, R, X> & X {
  const given = (...events: E[]): Given<S, C, E, R, X> & X => {
    const state = events.reduce((s, e) => decider.evolve(s, e), decider.initialState);
    return {
      ...reads(state),
      state,
      when(command: C): When<S, C, E, R, X> {
        const decision = decider.decide(command, state);
        const thenEvents = (): E[] => {
          if (!Array.isArray(decision))
            throw new Error(`Expected events, the decider rejected: ${String(decision)}`);
          return decision;
        };
        return {
          decision,
          then: (expected) => expect(decision).toEqual(expected),
          thenMatch: (expected) => {
            expect(Array.isArray(decision)).toBe(true);
            expect(decision).toMatchObject(expected);
          },
          thenEvents,
          thenState: () => thenEvents().reduce((s, e) => decider.evolve(s, e), state),
          thenGiven: () => given(...events, ...thenEvents()),
        };
      },
    };
  };
  return given;
}

/** A decider specification for a saga, whose given state also answers `next`, `jobs` and `summary`. */
export function sagaSpec<S, C, E, R, N, J, M>(
  saga: SagaUnderTest<S, C, E, R, N, J, M>,
  movementId: string,
  at: string,
) {
  return deciderSpec<S, C, E, R, SagaReads<N, J, M>>(saga, (state) => ({
    next: () => saga.next(state, movementId, at),
    jobs: () => saga.jobs(state, movementId),
    summary: () => saga.summary(state),
  }));
}

export interface SagaReads<N, J, M> {
  next(): N[];
  jobs(): J[];
  summary(): M;
}
