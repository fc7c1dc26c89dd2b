import type { Env } from '@ledger/config';
import type { IncomingMessage } from 'node:http';
import { pgQuerySpanName } from './pg-span-name';
import { readTracingConfig } from './tracing.config';

export * from './tracing.config';

/** The running tracer: `shutdown` exports what is still buffered. */
export interface Tracing {
  readonly serviceName: string;
  shutdown(): Promise<void>;
}

/** Probes and scrapes would be most of the traces and say nothing. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Starts OpenTelemetry tracing when TRACING_ENABLED=true: a tracer provider
 * with the W3C trace-context propagator and an AsyncLocalStorage context,
 * spans batched to the OTLP/HTTP collector, and the http, pg and ioredis
 * instrumentations (the API names its server spans by route itself, see
 * `nameServerSpansByRoute`). Those patch modules as they are required, so
 * this runs before anything loads them: it is the first import of each
 * process's main.ts (through its `tracing.ts`).
 *
 * Off (the default) it returns undefined having loaded nothing: the SDK and
 * the instrumentations are required only here, after the switch is read, so
 * no module is patched and the span calls of the command path, sagas and
 * jobs go to the OpenTelemetry API's no-op tracer.
 */
export function startTracing(env: Env, defaultServiceName: string): Tracing | undefined {
  const config = readTracingConfig(env, defaultServiceName);
  if (!config.enabled) return undefined;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const sdk =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { resourceFromAttributes } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const provider = new sdk.NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    // Batches are sent every OTEL_BSP_SCHEDULE_DELAY ms (5 s by default), read by the SDK.
    spanProcessors: [new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl }))],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.test(req.url ?? ''),
        // The collector's own endpoint is not a dependency worth a span per batch.
        ignoreOutgoingRequestHook: (req) => String(req.path ?? '').startsWith('/v1/traces'),
      }),
      // Only within a traced operation: the projector's and the driver's
      // polls and BullMQ's blocking reads would otherwise be a trace each.
      // Statements are recorded with their placeholders, never the values.
      new PgInstrumentation({
        requireParentSpan: true,
        requestHook: (span, { query, connection }) => {
          if (query.name) span.updateName(pgQuerySpanName(query.text, connection.database));
        },
      }),
      // The command name only: arguments carry keys and payloads.
      new IORedisInstrumentation({
        requireParentSpan: true,
        dbStatementSerializer: (command) => command,
      }),
    ],
  });
  return {
    serviceName: config.serviceName,
    shutdown: () => provider.shutdown(),
  };
}
