import { MAX_READ_COUNT } from './event-store.port';

/** A read's page size: `maxCount` when given (0 is allowed), never more than MAX_READ_COUNT. */
export function readLimit(maxCount: number | undefined): number {
  if (maxCount === undefined) return MAX_READ_COUNT;
  if (!Number.isInteger(maxCount) || maxCount < 0) {
    throw new RangeError(`maxCount must be a whole number ≥ 0, got ${maxCount}`);
  }
  return Math.min(maxCount, MAX_READ_COUNT);
}
