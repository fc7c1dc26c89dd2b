/**
 * Thrown by a handler when trying again cannot help (the card was declined,
 * the request is invalid): the job fails at once instead of using up its attempts.
 */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
  readonly retryable = false;
}

/** A bug in the caller: a bad queue name, job id, option or an oversized payload. */
export class InvalidJobError extends Error {
  override readonly name = 'InvalidJobError';
}

/**
 * The queue's backend did not answer within its bound (Redis down or hung).
 * Transient: the caller retries later, the way the saga driver parks a saga.
 */
export class JobQueueUnavailableError extends Error {
  override readonly name = 'JobQueueUnavailableError';
  readonly retryable = true;
}

/**
 * Any error that says `retryable: false` is permanent, so errors from other
 * libraries (PermanentGatewayError) need no wrapping to skip retries.
 */
export function isPermanentError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { retryable?: unknown }).retryable === false
  );
}

export function errorMessage(error: unknown, maxLength: number): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
