import { must } from '@ledger/invariant';
import { randomBytes } from 'node:crypto';
import { signingKeyFromSeed } from '@ledger/audit';
import {
  periodBounds,
  periodOf,
  sealValid,
  signSeal,
  trialBalanceHash,
  type PeriodSealBody,
} from './period-seal';

describe('period seals', () => {
  const key = signingKeyFromSeed(randomBytes(32));
  const trialBalance = [
    { currency: 'EUR', debitsMinor: '1250', creditsMinor: '1250', balanced: true },
  ];
  const body: PeriodSealBody = {
    version: 'ledger-period-close-v1',
    period: '2026-11',
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
    position: '812.4521',
    trialBalance,
    trialBalanceHash: trialBalanceHash(trialBalance),
    closedBy: 'user-1',
    reason: 'month end',
    closedAt: '2026-12-02T09:00:00.000Z',
    keyId: key.keyId,
  };

  it('bounds a month in UTC, December into January', () => {
    expect(periodBounds('2026-12')).toEqual({
      from: new Date('2026-12-01T00:00:00Z'),
      to: new Date('2027-01-01T00:00:00Z'),
    });
    for (const bad of ['2026-13', '2026-00', '26-11', '2026-1', '2026-11-01'])
      expect(periodBounds(bad)).toBeUndefined();
    expect(periodOf(new Date('2026-11-30T23:59:59.999Z'))).toBe('2026-11');
  });

  it('signs the seal so that any change to it, or to its trial balance, shows', () => {
    const seal = signSeal(body, key);
    expect(sealValid(seal, key.publicKey)).toBe(true);
    expect(sealValid({ ...seal, position: '812.4522' }, key.publicKey)).toBe(false);
    const edited = [{ ...must(trialBalance[0], 'a balance'), debitsMinor: '1251' }];
    expect(sealValid({ ...seal, trialBalance: edited }, key.publicKey)).toBe(false);
    const other = signingKeyFromSeed(randomBytes(32));
    expect(sealValid(seal, other.publicKey)).toBe(false);
  });
});
