import { deciderSpec, sagaSpec } from './decider-spec';

type Counter = { total: number };
type Add = { type: 'Add'; by: number };
type Added = { type: 'Added'; by: number };
const counter = {
  initialState: { total: 0 },
  decide: (command: Add, state: Counter): Added[] | 'too_much' | 'nothing' =>
    command.by === 0
      ? []
      : state.total + command.by > 10
        ? 'too_much'
        : [{ type: 'Added', by: command.by }],
  evolve: (state: Counter, event: Added): Counter => ({ total: state.total + event.by }),
};
const given = deciderSpec(counter);
const added = (by: number): Added => ({ type: 'Added', by });

describe('deciderSpec', () => {
  it('folds the given events and checks the decision against events or a rejection', () => {
    expect(given(added(3), added(4)).state).toEqual({ total: 7 });
    given(added(3))
      .when({ type: 'Add', by: 2 })
      .then([added(2)]);
    given(added(9)).when({ type: 'Add', by: 2 }).then('too_much');
    given().when({ type: 'Add', by: 0 }).then([]);
    expect(() =>
      given(added(9))
        .when({ type: 'Add', by: 2 })
        .then([added(2)]),
    ).toThrow();
    expect(() => given().when({ type: 'Add', by: 2 }).then('too_much')).toThrow();
  });

  it('matches partial events, and a rejection never matches events', () => {
    given()
      .when({ type: 'Add', by: 2 })
      .thenMatch([{ by: 2 }]);
    expect(() =>
      given()
        .when({ type: 'Add', by: 2 })
        .thenMatch([{ by: 3 }]),
    ).toThrow();
    expect(() => given(added(9)).when({ type: 'Add', by: 2 }).thenMatch([])).toThrow();
  });

  it('folds the decision into the next state, and refuses to on a rejection', () => {
    expect(given(added(3)).when({ type: 'Add', by: 2 }).thenState()).toEqual({ total: 5 });
    expect(given(added(3)).when({ type: 'Add', by: 2 }).thenGiven().state).toEqual({ total: 5 });
    expect(() => given(added(9)).when({ type: 'Add', by: 2 }).thenEvents()).toThrow(
      /rejected: too_much/,
    );
    expect(() => given(added(9)).when({ type: 'Add', by: 2 }).thenState()).toThrow(/too_much/);
  });

  it('gives a saga’s reads over the folded state', () => {
    const saga = {
      ...counter,
      next: (state: Counter, stream: string, at: string) => [`${stream}@${at}:${state.total}`],
      jobs: (state: Counter, stream: string) => (state.total > 5 ? [`${stream}:big`] : []),
      summary: (state: Counter) => ({ total: state.total }),
    };
    const spec = sagaSpec(saga, 's-1', 'now');
    expect(spec(added(2)).next()).toEqual(['s-1@now:2']);
    expect(spec(added(2)).jobs()).toEqual([]);
    const after = spec(added(2)).when({ type: 'Add', by: 4 }).thenGiven();
    expect(after.jobs()).toEqual(['s-1:big']);
    expect(after.summary()).toEqual({ total: 6 });
  });
});
