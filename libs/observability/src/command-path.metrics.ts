import { Counter, Histogram, Registry } from 'prom-client';
import { observeCommandPath, type CommandPathObserver } from '@ledger/ledger';

/**
 * The command path's series. The command processors and the append batcher
 * are per process, not per application, so these live in one process-wide
 * registry that every application's /metrics adds to its own.
 */
export const commandPathRegistry = new Registry();

const commandDuration = new Histogram({
  name: 'ledger_command_duration_seconds',
  help: 'Commands from execute to outcome: accepted, rejected (a business rule), conflict (retries used up), error',
  labelNames: ['outcome'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [commandPathRegistry],
});

const conflictRetries = new Counter({
  name: 'ledger_command_conflict_retries_total',
  help: 'Decisions run again because another writer appended to the stream first',
  registers: [commandPathRegistry],
});

const appendDuration = new Histogram({
  name: 'ledger_event_store_append_duration_seconds',
  help: 'One group-commit call to the event store, by outcome (ok, failed)',
  labelNames: ['outcome'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [commandPathRegistry],
});

const appendBatchSize = new Histogram({
  name: 'ledger_event_store_append_batch_size',
  help: 'Appends written together in one group-commit call',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  registers: [commandPathRegistry],
});

const observer: CommandPathObserver = {
  commandFinished: (outcome, seconds) => commandDuration.observe({ outcome }, seconds),
  conflictRetried: () => conflictRetries.inc(),
  appendBatch: (size, seconds, failed) => {
    appendDuration.observe({ outcome: failed ? 'failed' : 'ok' }, seconds);
    appendBatchSize.observe(size);
  },
};

/** Starts counting the command path in this process; safe to call more than once. */
export function installCommandPathMetrics(): void {
  observeCommandPath(observer);
}
