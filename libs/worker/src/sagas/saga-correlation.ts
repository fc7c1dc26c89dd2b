import { context, SpanKind, trace } from '@opentelemetry/api';
import type { RecordedEvent } from '@ledger/event-store';
import { logCorrelation } from '@ledger/observability';
import { continuedTrace, endingSpan } from '@ledger/tracing';

const PLAUSIBLE_CORRELATION = /^[A-Za-z0-9._:-]{1,128}$/;
const tracer = trace.getTracer('ledger.sagas');

/**
 * Runs one saga step within what the event that caused it recorded: its
 * correlation id (the id of the request that began the saga) for every log
 * line and job of the step, and, when tracing is on, a `saga.step` span in
 * the trace of the request that appended the event (its `traceparent`).
 */
export function withEventCorrelation(
  event: RecordedEvent | undefined,
  movementId: string,
  work: () => Promise<void>,
): Promise<void> {
  const metadata = event?.metadata;
  const id = metadata?.correlationId;
  const correlationId = typeof id === 'string' && PLAUSIBLE_CORRELATION.test(id) ? id : undefined;
  const traceparent = metadata?.traceparent;
  const parent = continuedTrace(traceparent, context.active());
  const step = () =>
    tracer.startActiveSpan(
      'saga.step',
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          'ledger.saga.stream': movementId,
          ...(correlationId && { 'ledger.correlation_id': correlationId }),
        },
      },
      parent,
      (span) => endingSpan(span, work),
    );
  return correlationId ? logCorrelation.run(correlationId, step) : step();
}

/**
 * The same for a saga advanced without an event in hand (resumed at start,
 * a parked one retried, a job the reconciler re-creates): the correlation id
 * and trace its first event recorded, the request that began it. When the
 * stream cannot be read, the work runs without them: that read must not be
 * what keeps a saga from advancing.
 */
export async function withSagaCorrelation(
  firstEvent: (movementId: string) => Promise<RecordedEvent | undefined>,
  movementId: string,
  work: () => Promise<void>,
): Promise<void> {
  const event = await firstEvent(movementId).catch(() => undefined);
  return withEventCorrelation(event, movementId, work);
}
