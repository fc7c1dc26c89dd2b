import pino from 'pino';
import { START, type RecordedEvent } from '@ledger/event-store';
import { logCorrelation, setCorrelationRootLogger } from '@ledger/observability';
import { withSagaCorrelation } from './saga-correlation';

function firstEvent(metadata: Record<string, unknown>): RecordedEvent {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    streamId: 'withdrawal-1',
    type: 'WithdrawalRequested',
    revision: 0n,
    position: START,
    data: {},
    metadata,
    createdAt: new Date(0),
  };
}

/** What a saga advanced without an event in hand (resumed, retried, its jobs re-created) runs under. */
describe('withSagaCorrelation', () => {
  beforeAll(() => setCorrelationRootLogger(pino({ level: 'silent' })));

  async function seen(read: () => Promise<RecordedEvent | undefined>) {
    let id: string | undefined = 'not run';
    await withSagaCorrelation(read, 'withdrawal-1', async () => {
      id = logCorrelation.current();
    });
    return id;
  }

  it("runs under the correlation id the saga's first event recorded", async () => {
    expect(await seen(async () => firstEvent({ correlationId: 'request-12' }))).toBe('request-12');
  });

  it('runs without one when the stream has none, an implausible one, or cannot be read', async () => {
    expect(await seen(async () => undefined)).toBeUndefined();
    expect(
      await seen(async () => firstEvent({ correlationId: 'no spaces allowed' })),
    ).toBeUndefined();
    expect(await seen(() => Promise.reject(new Error('store unavailable')))).toBeUndefined();
  });
});
