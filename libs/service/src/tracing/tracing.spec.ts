import { context, propagation, trace } from '@opentelemetry/api';
import { readTracingConfig, startTracing } from '.';

const SDK_MODULES = [
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/resources',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/instrumentation',
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-pg',
  '@opentelemetry/instrumentation-ioredis',
];

describe('tracing switch', () => {
  const loaded: string[] = [];
  beforeAll(() => {
    for (const name of SDK_MODULES)
      jest.doMock(name, () => {
        loaded.push(name);
        throw new Error(`${name} loaded`);
      });
  });
  beforeEach(() => loaded.splice(0));
  afterAll(() => {
    for (const name of SDK_MODULES) jest.dontMock(name);
  });

  it('off by default: nothing is loaded, nothing registered, no trace context is carried', () => {
    expect(startTracing({}, 'ledger-api')).toBeUndefined();
    expect(startTracing({ TRACING_ENABLED: 'false' }, 'ledger-api')).toBeUndefined();
    expect(loaded).toEqual([]);
    // The global API still has no provider, propagator or context manager.
    const span = trace.getTracer('spec').startSpan('work');
    expect(span.isRecording()).toBe(false);
    expect(trace.getActiveSpan()).toBeUndefined();
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    expect(carrier).toEqual({});
    span.end();
  });

  it('on, it loads the SDK (here a stand-in that refuses, to see it asked for)', () => {
    expect(() => startTracing({ TRACING_ENABLED: 'true' }, 'ledger-api')).toThrow(/loaded/);
    expect(loaded.length).toBeGreaterThan(0);
  });

  it('reads the endpoint and the service name, with defaults', () => {
    expect(readTracingConfig({}, 'ledger-worker')).toEqual({
      enabled: false,
      tracesUrl: 'http://localhost:4318/v1/traces',
      serviceName: 'ledger-worker',
    });
    expect(
      readTracingConfig(
        {
          TRACING_ENABLED: 'true',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.internal:4318/',
          OTEL_SERVICE_NAME: 'ledger-api-eu',
        },
        'ledger-api',
      ),
    ).toEqual({
      enabled: true,
      tracesUrl: 'https://collector.internal:4318/v1/traces',
      serviceName: 'ledger-api-eu',
    });
    expect(() => readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'x')).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });
});
