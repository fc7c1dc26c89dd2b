import { ACCOUNT_POLICY, lockSeconds } from './attempt-limit';

describe('lockSeconds', () => {
  it('lets the first failures through', () => {
    expect(lockSeconds(1, ACCOUNT_POLICY)).toBe(0);
    expect(lockSeconds(ACCOUNT_POLICY.freeFailures - 1, ACCOUNT_POLICY)).toBe(0);
  });
  it('doubles, then stops at the cap', () => {
    const free = ACCOUNT_POLICY.freeFailures;
    expect([0, 1, 2, 3].map((n) => lockSeconds(free + n, ACCOUNT_POLICY))).toEqual([1, 2, 4, 8]);
    expect(lockSeconds(free + 1_000, ACCOUNT_POLICY)).toBe(ACCOUNT_POLICY.maxLockSeconds);
  });
});
