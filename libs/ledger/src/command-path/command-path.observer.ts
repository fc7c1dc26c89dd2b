/**
 * What the command path reports for metrics, as plain calls: the domain
 * stays free of any metrics library, and the process that serves metrics
 * (libs/observability) installs the one observer that counts them.
 */
export interface CommandPathObserver {
  /** One command from `execute` to its outcome. */
  commandFinished(outcome: CommandOutcomeLabel, seconds: number): void;
  /** A decision re-run because another writer appended to the stream first. */
  conflictRetried(): void;
  /** One group-commit call to the event store: how many appends, how long, whether it failed. */
  appendBatch(size: number, seconds: number, failed: boolean): void;
}

export type CommandOutcomeLabel = 'accepted' | 'rejected' | 'conflict' | 'error';

const NO_OBSERVER: CommandPathObserver = {
  commandFinished: () => undefined,
  conflictRetried: () => undefined,
  appendBatch: () => undefined,
};

let current: CommandPathObserver = NO_OBSERVER;

/** Installs the process's observer; without one, reports go nowhere. */
export function observeCommandPath(observer: CommandPathObserver | undefined): void {
  current = observer ?? NO_OBSERVER;
}

export function commandPathObserver(): CommandPathObserver {
  return current;
}

export function secondsSince(startedMs: number): number {
  return (performance.now() - startedMs) / 1000;
}
