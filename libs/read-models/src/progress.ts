import type { SqlExecutor } from '@ledger/database';
import { comparePositions, START, type Position } from '@ledger/event-store';
import { findCheckpoint } from '@ledger/event-store/sql';

type Listener = (position: Position) => void;

/**
 * In-process news of checkpoints moving. A runner publishes after each
 * committed batch, so a query in the same process that waits for its own
 * write wakes at once instead of at the next poll.
 */
export class ProjectionProgress {
  private readonly listeners = new Map<string, Set<Listener>>();

  publish(name: string, position: Position): void {
    for (const listener of this.listeners.get(name) ?? []) listener(position);
  }

  subscribe(name: string, listener: Listener): () => void {
    const set = this.listeners.get(name) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(name, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(name);
    };
  }
}

/** The progress bus shared by every runner of this process unless one is given. */
export const processProgress = new ProjectionProgress();

/** No caller may hold a request open longer than this waiting for a projection. */
export const MAX_WAIT_MS = 30_000;
const DEFAULT_POLL_MS = 100;

export interface WaitOptions {
  readonly progress?: ProjectionProgress;
  /** How often to read the checkpoint row, for runners in other processes. */
  readonly pollMs?: number;
}

/**
 * Resolves true once the checkpoint `name` is at or past `target`, false when
 * `timeoutMs` (at most MAX_WAIT_MS) passes first. Read-your-writes: after
 * appending at position P, wait for P, then query.
 */
export async function waitForPosition(
  db: SqlExecutor,
  name: string,
  target: Position,
  timeoutMs: number,
  options: WaitOptions = {},
): Promise<boolean> {
  const reached = async () => {
    // A projector that never ran stands at the start of the log.
    const checkpoint = await findCheckpoint(db, name);
    return comparePositions(checkpoint?.position ?? START, target) >= 0;
  };
  if (await reached()) return true;
  const deadlineMs = Math.min(Math.max(timeoutMs, 0), MAX_WAIT_MS);
  const pollMs = Math.max(options.pollMs ?? DEFAULT_POLL_MS, 10);
  return new Promise<boolean>((resolve) => {
    let settled = false;
    let polling = false;
    const finish = (result: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poller);
      unsubscribe();
      resolve(result);
    };
    const unsubscribe = (options.progress ?? processProgress).subscribe(name, (position) => {
      if (comparePositions(position, target) >= 0) finish(true);
    });
    const timer = setTimeout(() => finish(false), deadlineMs);
    const poller = setInterval(() => {
      if (polling) return;
      polling = true;
      reached()
        .then((ok) => ok && finish(true))
        // A failed poll is retried at the next tick; the deadline still bounds the wait.
        .catch(() => undefined)
        .finally(() => (polling = false));
    }, pollMs);
  });
}
