import { context, propagation, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { EventStore } from '@ledger/event-store';
import { InMemoryEventStore } from '@ledger/testing';
import { TRACEPARENT } from '@ledger/tracing';
import { tracedEventStore } from './traced-event-store';

describe('tracedEventStore', () => {
  // A provider, the AsyncLocalStorage context and the W3C propagator, as startTracing registers them.
  beforeAll(() => new NodeTracerProvider().register());
  afterAll(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });

  const event = (n: number) => ({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    type: 'T',
    data: { n },
  });

  it("traces appendGroups as appendMany, each event carrying the span's traceparent", async () => {
    const inner = new InMemoryEventStore();
    const traced = tracedEventStore(inner);
    const outcomes = await traced.appendGroups?.([
      [
        { streamId: 'a', events: [event(1), event(2)], expected: 'no_stream' },
        { streamId: 'b', events: [event(3)], expected: 'no_stream' },
      ],
      [{ streamId: 'a', events: [event(4)], expected: 1n }],
    ]);
    expect(outcomes?.map((o) => (Array.isArray(o) ? o.map((r) => r.nextRevision) : o))).toEqual([
      [1n, 0n],
      [2n],
    ]);
    expect(inner.appendCalls).toBe(1);
    const written = [...(await inner.readStream('a')), ...(await inner.readStream('b'))];
    const parents = new Set(written.map((e) => e.metadata.traceparent));
    // One span for the call: every event carries the same parent.
    expect(parents.size).toBe(1);
    expect([...parents][0]).toMatch(TRACEPARENT);
  });

  it('has no appendGroups over a store that has none, so callers can tell', () => {
    const withoutGroups = Object.create(new InMemoryEventStore(), {
      appendGroups: { value: undefined },
    }) as EventStore;
    expect(tracedEventStore(withoutGroups).appendGroups).toBeUndefined();
    expect(tracedEventStore(new InMemoryEventStore()).appendGroups).toBeInstanceOf(Function);
  });
});
