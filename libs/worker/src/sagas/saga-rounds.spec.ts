import pino from 'pino';
import { START, type RecordedEvent } from '@ledger/event-store';
import type { SagaAdvance, SagaStepper } from '@ledger/ledger';
import type { SagaState } from '@ledger/ledger/nest';
import { setCorrelationRootLogger } from '@ledger/observability';
import { SagaRounds, type TerminalSaga } from './saga-rounds';

type Status = 'pending' | 'completed' | 'failed';

function sagaOf(movementId: string, status: Status): SagaState {
  return {
    movementId,
    kind: 'transfer',
    saga: {} as SagaState['saga'],
    state: {},
    summary: { status } as SagaState['summary'],
    revision: 3n,
  };
}

function eventOf(streamId: string, correlationId: string): RecordedEvent {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    streamId,
    type: 'TransferCompleted',
    revision: 3n,
    position: START,
    data: {},
    metadata: { correlationId },
    createdAt: new Date(0),
  };
}

/** Rounds over sagas whose advance ends in the given status, or throws for `broken`. */
function roundsOf(
  statuses: Record<string, Status | 'broken'>,
  onTerminal: (ended: readonly TerminalSaga[]) => Promise<void>,
) {
  const stepper = {
    advance: async (movementId: string): Promise<SagaAdvance> => {
      const status = statuses[movementId];
      if (status === undefined || status === 'broken') throw new Error('store unreachable');
      // `transfer-e` ends in this advance: the driver records its last steps.
      return {
        saga: sagaOf(movementId, status),
        ...(movementId === 'transfer-e' && { position: START }),
      };
    },
  } as unknown as SagaStepper;
  return new SagaRounds(stepper, {
    driver: 'test',
    concurrency: 2,
    retryDelay: () => 1,
    onTerminal,
    logger: { warn: () => undefined },
    firstEvent: async () => undefined,
  });
}

describe('SagaRounds', () => {
  beforeAll(() => setCorrelationRootLogger(pino({ level: 'silent' })));
  const statuses = {
    'transfer-a': 'completed',
    'transfer-b': 'pending',
    'transfer-c': 'failed',
    'transfer-d': 'broken',
    'transfer-e': 'completed',
  } as const;
  const wakes = [
    {
      movementId: 'transfer-a',
      cause: eventOf('transfer-a', 'request-a'),
      terminal: eventOf('transfer-a', 'request-a'),
    },
    { movementId: 'transfer-b' },
    { movementId: 'transfer-c' },
    { movementId: 'transfer-d' },
    { movementId: 'transfer-e' },
  ];

  it("hands the round's terminal sagas to onTerminal at once, with what woke them", async () => {
    const calls: (readonly TerminalSaga[])[] = [];
    const round = await roundsOf(statuses, async (ended) => void calls.push(ended)).advance(
      wakes,
      'log',
    );
    expect(calls).toHaveLength(1);
    const ended = [...(calls[0] ?? [])].sort((x, y) =>
      x.saga.movementId < y.saga.movementId ? -1 : 1,
    );
    // Each with its terminal event when the wake carried it, the correlation
    // id its step ran under (its waking event's, or none known), and whether
    // this advance recorded its end.
    expect(
      ended.map((e) => [
        e.saga.movementId,
        e.woken,
        e.terminal?.streamId,
        e.correlationId,
        e.stepped,
      ]),
    ).toEqual([
      ['transfer-a', 'log', 'transfer-a', 'request-a', undefined],
      ['transfer-c', 'log', undefined, undefined, undefined],
      ['transfer-e', 'log', undefined, undefined, true],
    ]);
    expect([...round.succeeded].sort()).toEqual([
      'transfer-a',
      'transfer-b',
      'transfer-c',
      'transfer-e',
    ]);
    expect([...round.failed.keys()]).toEqual(['transfer-d']);
  });

  it('parks every terminal saga of a retry round when onTerminal throws, and only those', async () => {
    const round = await roundsOf(statuses, async () => {
      throw new Error('queue unreachable');
    }).advance(wakes, 'retry');
    expect(round.succeeded).toEqual(['transfer-b']);
    expect([...round.failed.keys()].sort()).toEqual([
      'transfer-a',
      'transfer-c',
      'transfer-d',
      'transfer-e',
    ]);
    expect(round.failed.get('transfer-a')).toBe('Error: queue unreachable');
    // Their rows are written all the same: they did advance.
    expect(round.advanced.map((s) => s.movementId).sort()).toEqual([
      'transfer-a',
      'transfer-b',
      'transfer-c',
      'transfer-e',
    ]);
  });

  it('fails a round of the log whole when onTerminal throws: the batch is read again, no saga parked', async () => {
    const rounds = roundsOf(statuses, async () => {
      throw new Error('queue unreachable');
    });
    await expect(rounds.advance(wakes, 'log')).rejects.toThrow('queue unreachable');
  });

  it('calls no onTerminal for the resume or when no saga ended', async () => {
    const calls: unknown[] = [];
    const rounds = roundsOf(statuses, async (ended) => void calls.push(ended));
    await rounds.advance(wakes);
    await rounds.advance([{ movementId: 'transfer-b' }], 'log');
    expect(calls).toEqual([]);
  });
});
