/**
 * `@ledger/tracing`: the few OpenTelemetry moves the event store, the saga
 * driver and the job queues share. Only `@opentelemetry/api` is loaded here,
 * whose calls are no-ops until tracing is started (`@ledger/service/tracing`).
 */
import { propagation, ROOT_CONTEXT, SpanStatusCode } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';

/** A W3C `traceparent` header value: version, trace id, parent span id, flags. */
export const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The trace context a recorded `traceparent` continues, or `fallback` when
 * there is none or it is not well formed (a value read back from stored
 * metadata or a job payload is never trusted blindly).
 */
export function continuedTrace(traceparent: unknown, fallback: Context): Context {
  return typeof traceparent === 'string' && TRACEPARENT.test(traceparent)
    ? propagation.extract(ROOT_CONTEXT, { traceparent })
    : fallback;
}

/**
 * Runs `work` as the body of `span`: a thrown error marks the span failed,
 * by the error's name only (messages may carry personal data), and is
 * rethrown; the span ends either way.
 */
export async function endingSpan<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.name : 'error',
    });
    throw error;
  } finally {
    span.end();
  }
}
