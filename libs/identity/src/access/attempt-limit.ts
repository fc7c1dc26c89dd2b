/**
 * Backoff for repeated failures (passwords, second-factor codes). After
 * `freeFailures` in a row, each further failure locks the key for twice as
 * long as the last, up to `maxLockSeconds`. A quiet `resetAfterSeconds`
 * forgets the count, so a user who mistyped last week starts afresh.
 */
export interface AttemptPolicy {
  readonly freeFailures: number;
  readonly baseLockSeconds: number;
  readonly maxLockSeconds: number;
  readonly resetAfterSeconds: number;
}

/** Locking out the owner is the cost of this policy, so it backs off rather than locks hard. */
export const ACCOUNT_POLICY: AttemptPolicy = {
  freeFailures: 5,
  baseLockSeconds: 1,
  maxLockSeconds: 900,
  resetAfterSeconds: 3600,
};
/** An office behind one NAT shares an IP: allow many more failures before slowing it. */
export const IP_POLICY: AttemptPolicy = {
  freeFailures: 50,
  baseLockSeconds: 1,
  maxLockSeconds: 900,
  resetAfterSeconds: 3600,
};
/** Six digits are a million guesses: the backoff keeps them from being tried. */
export const SECOND_FACTOR_POLICY: AttemptPolicy = {
  freeFailures: 5,
  baseLockSeconds: 2,
  maxLockSeconds: 900,
  resetAfterSeconds: 3600,
};

/** Seconds to lock a key after its `failures`-th consecutive failure; 0 means not locked. */
export function lockSeconds(failures: number, policy: AttemptPolicy): number {
  if (failures < policy.freeFailures) return 0;
  // The exponent is capped so the arithmetic stays exact however many failures pile up.
  const exponent = Math.min(failures - policy.freeFailures, 30);
  return Math.min(policy.baseLockSeconds * 2 ** exponent, policy.maxLockSeconds);
}

/** The per-account failure counter, shared by logins and password changes. */
export function accountAttemptKey(email: string): { name: string; policy: AttemptPolicy } {
  return { name: `account:${email}`, policy: ACCOUNT_POLICY };
}
