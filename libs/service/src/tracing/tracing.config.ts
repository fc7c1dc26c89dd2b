import { setting, type Env } from '@ledger/config';

/** OpenTelemetry tracing settings (docs/operations.md#tracing). */
export interface TracingConfig {
  readonly enabled: boolean;
  /** Where OTLP/HTTP spans are posted: the endpoint with `/v1/traces`. */
  readonly tracesUrl: string;
  readonly serviceName: string;
}

export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';

export function readTracingConfig(env: Env, defaultServiceName: string): TracingConfig {
  const endpoint = setting(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ?? DEFAULT_OTLP_ENDPOINT;
  return {
    enabled: setting(env, 'TRACING_ENABLED') === 'true',
    tracesUrl: `${endpoint.replace(/\/+$/, '')}/v1/traces`,
    serviceName: setting(env, 'OTEL_SERVICE_NAME') ?? defaultServiceName,
  };
}
