import type { LeasedSaga, SagaRound, SagaWake } from './saga-rounds';

/**
 * Leased sagas remembered in memory at most; past it a leased saga is
 * parked instead (a row in `saga_parking`), and retried from there.
 */
export const MAX_LEASED_IN_MEMORY = 50_000;

/**
 * The sagas a driver leaves to their inline run (a transfer the API is
 * running), by movement id, with when to advance each again. Memory only,
 * so a leased saga costs no write; a crashed driver loses this, not the
 * saga: its movement row is written with the batch that saw its request,
 * and the resume at start advances every unfinished one.
 */
export class LeasedSagas {
  private readonly leased = new Map<string, LeasedSaga>();

  constructor(private readonly max = MAX_LEASED_IN_MEMORY) {}

  /**
   * Keeps the round's leased sagas until their lease is over, and forgets
   * every other saga of the round (it advanced, or failed and is parked).
   * Past the limit a leased saga is moved to the round's failed ones, so
   * the round parks it.
   */
  remember(round: SagaRound): void {
    for (const movementId of round.succeeded)
      if (!round.leased.has(movementId)) this.leased.delete(movementId);
    for (const movementId of round.failed.keys()) this.leased.delete(movementId);
    for (const [movementId, leased] of round.leased) {
      if (this.leased.has(movementId) || this.leased.size < this.max) {
        this.leased.set(movementId, leased);
        continue;
      }
      round.failed.set(movementId, 'leased, parked: too many leased sagas in memory');
      const at = round.succeeded.indexOf(movementId);
      if (at >= 0) round.succeeded.splice(at, 1);
    }
  }

  /** Takes out at most `limit` sagas whose lease is over at `nowMs`, to be advanced. */
  takeDue(nowMs: number, limit: number): SagaWake[] {
    const due: SagaWake[] = [];
    for (const [movementId, { dueMs, cause }] of this.leased) {
      if (dueMs > nowMs) continue;
      due.push({ movementId, ...(cause && { cause }) });
      if (due.length >= limit) break;
    }
    for (const { movementId } of due) this.leased.delete(movementId);
    return due;
  }

  get size(): number {
    return this.leased.size;
  }
}
