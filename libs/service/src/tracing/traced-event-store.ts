import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import type { AppendRequest, EventData, EventStore, ExpectedRevision } from '@ledger/event-store';
import { logCorrelation } from '@ledger/observability';
import { endingSpan } from '@ledger/tracing';

export const CORRELATION_ATTRIBUTE = 'ledger.correlation_id';
const tracer = trace.getTracer('ledger.event-store');

/**
 * The event store with a span per append (the command processors' group
 * commits come through `appendMany`; `appendGroups` is traced alike, and is
 * there only when the inner store has it), named with the request's
 * correlation id, and the span's W3C `traceparent` added to each appended
 * event's metadata: the saga driver and the jobs it enqueues continue the
 * trace of the request that recorded the event, even in another process.
 * Event ids, not metadata, make a retried append recognisable, so a retry
 * under another trace still writes nothing twice. Installed only when
 * tracing is on.
 */
export function tracedEventStore(inner: EventStore): EventStore {
  // Only a store that has it gets one, so that callers can still tell.
  const appendGroups = inner.appendGroups?.bind(inner);
  return {
    append: (streamId: string, events: readonly EventData[], expected: ExpectedRevision) =>
      inSpan('event_store.append', { 'ledger.streams': 1, 'ledger.events': events.length }, () =>
        inner.append(streamId, withTraceparent(events), expected),
      ),
    appendMany: (requests: readonly AppendRequest[]) =>
      inSpan(
        'event_store.append_many',
        {
          'ledger.streams': requests.length,
          'ledger.events': requests.reduce((n, r) => n + r.events.length, 0),
        },
        () => inner.appendMany(requests.map((r) => ({ ...r, events: withTraceparent(r.events) }))),
      ),
    appendGroups:
      appendGroups &&
      ((groups: readonly (readonly AppendRequest[])[]) =>
        inSpan(
          'event_store.append_groups',
          {
            'ledger.groups': groups.length,
            'ledger.streams': groups.reduce((n, g) => n + g.length, 0),
            'ledger.events': groups.reduce((n, g) => g.reduce((m, r) => m + r.events.length, n), 0),
          },
          () =>
            appendGroups(
              groups.map((g) => g.map((r) => ({ ...r, events: withTraceparent(r.events) }))),
            ),
        )),
    readStream: (streamId, options) => inner.readStream(streamId, options),
    readStreams: (requests) => inner.readStreams(requests),
    streamRevision: (streamId) => inner.streamRevision(streamId),
    readAll: (options) => inner.readAll(options),
    headPosition: () => inner.headPosition(),
    lastCommittedPosition: () => inner.lastCommittedPosition(),
    close: () => inner.close(),
  };
}

async function inSpan<T>(
  name: string,
  attributes: Record<string, number>,
  work: () => Promise<T>,
): Promise<T> {
  const correlationId = logCorrelation.current();
  return tracer.startActiveSpan(
    name,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        ...attributes,
        ...(correlationId && { [CORRELATION_ATTRIBUTE]: correlationId }),
      },
    },
    (span) => endingSpan(span, work),
  );
}

function withTraceparent(events: readonly EventData[]): readonly EventData[] {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const traceparent = carrier.traceparent;
  if (traceparent === undefined) return events;
  return events.map((e) =>
    e.metadata && 'traceparent' in e.metadata
      ? e
      : { ...e, metadata: { ...e.metadata, traceparent } },
  );
}
