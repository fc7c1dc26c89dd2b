import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; from a cached read to a slow saga step. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The service's Prometheus series (docs/operations.md lists each with its
 * alert). One registry per application, so that two apps in one process
 * (tests) keep their own counts. Series that describe stored state (lag,
 * sagas, jobs) are gauges filled on scrape by `LedgerCollectors`.
 */
export class LedgerMetrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'ledger_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly idempotentReplays = new Counter({
    name: 'ledger_http_idempotent_replays_total',
    help: 'Responses replayed from a stored Idempotency-Key instead of run again',
    labelNames: ['method', 'route'] as const,
    registers: [this.registry],
  });

  readonly projectionLag = new Gauge({
    name: 'ledger_projection_lag_seconds',
    help: 'Age of the oldest event the projector has not applied; 0 when caught up',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionEventsBehind = new Gauge({
    name: 'ledger_projection_events_behind',
    help: 'Events after the projection checkpoint, counted up to 1000',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionPosition = new Gauge({
    name: 'ledger_projection_checkpoint_position',
    help: 'Commit position of the projection checkpoint in the global log',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly headPosition = new Gauge({
    name: 'ledger_event_store_head_position',
    help: 'Commit position of the last event in the global log',
    registers: [this.registry],
  });

  readonly sagas = new Gauge({
    name: 'ledger_sagas',
    help: 'Money movements (sagas) by kind and status',
    labelNames: ['kind', 'status'] as const,
    registers: [this.registry],
  });

  readonly sagasParked = new Gauge({
    name: 'ledger_sagas_parked',
    help: 'Sagas the driver could not advance and retries with backoff',
    labelNames: ['driver'] as const,
    registers: [this.registry],
  });

  readonly oldestParkedSeconds = new Gauge({
    name: 'ledger_sagas_parked_oldest_seconds',
    help: 'How long the longest-parked saga has been parked; 0 when none is',
    registers: [this.registry],
  });

  readonly jobs = new Gauge({
    name: 'ledger_jobs',
    help: 'Jobs by queue and state (waiting, delayed, active, failed); state="failed" are the dead letters',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly jobsRetrying = new Gauge({
    name: 'ledger_jobs_retrying',
    help: 'Jobs waiting for another attempt after a failure',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly jobAttemptsFailed = new Counter({
    name: 'ledger_job_attempts_failed_total',
    help: 'Failed job attempts in this process: outcome="retry" will run again, "dead_letter" failed for good',
    labelNames: ['queue', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly scrapeErrors = new Counter({
    name: 'ledger_metrics_collect_errors_total',
    help: 'Scrapes where a stored-state series could not be read (the series keep their last value)',
    labelNames: ['collector'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
