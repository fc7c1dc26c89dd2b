import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import type { SigningKey } from '@ledger/audit';
import { canonicalJson } from '@ledger/event-store';

/** `YYYY-MM`, a calendar month in UTC. */
export const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function periodBounds(period: string): { from: Date; to: Date } | undefined {
  const match = PERIOD_PATTERN.exec(period);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  return { from: new Date(Date.UTC(year, month, 1)), to: new Date(Date.UTC(year, month + 1, 1)) };
}

/** The month a moment falls in, `YYYY-MM` (UTC). */
export function periodOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

export interface SealedTrialBalanceLine {
  readonly currency: string;
  readonly debitsMinor: string;
  readonly creditsMinor: string;
  readonly balanced: boolean;
}

/**
 * A closed month's seal: its closing trial balance as of the last event
 * dated before the month's end, hashed and signed with the checkpoint key
 * (Ed25519 over the canonical JSON of every field but `signature`), so it is
 * checked exactly as a checkpoint is (docs/audit.md).
 */
export interface PeriodSealBody {
  readonly version: 'ledger-period-close-v1';
  readonly period: string;
  readonly from: string;
  readonly to: string;
  /** The log position the trial balance stands at. */
  readonly position: string;
  readonly trialBalance: readonly SealedTrialBalanceLine[];
  /** sha256(canonicalJson(trialBalance)), hex. */
  readonly trialBalanceHash: string;
  readonly closedBy: string;
  readonly reason: string;
  readonly closedAt: string;
  readonly keyId: string;
}

export interface PeriodSeal extends PeriodSealBody {
  readonly signature: string;
}

export function trialBalanceHash(lines: readonly SealedTrialBalanceLine[]): string {
  return createHash('sha256').update(canonicalJson(lines), 'utf8').digest('hex');
}

export function sealMessage(body: PeriodSealBody): Buffer {
  const { version, period, from, to, position, trialBalance, closedBy, reason } = body;
  const { closedAt, keyId } = body;
  return Buffer.from(
    canonicalJson({
      version,
      period,
      from,
      to,
      position,
      trialBalance,
      trialBalanceHash: body.trialBalanceHash,
      closedBy,
      reason,
      closedAt,
      keyId,
    }),
    'utf8',
  );
}

export function signSeal(body: PeriodSealBody, key: SigningKey): PeriodSeal {
  return { ...body, signature: sign(null, sealMessage(body), key.privateKey).toString('base64') };
}

/** The signature holds and the hash is the trial balance's: what an auditor checks. */
export function sealValid(seal: PeriodSeal, publicKey: KeyObject): boolean {
  return (
    trialBalanceHash(seal.trialBalance) === seal.trialBalanceHash &&
    verify(null, sealMessage(seal), publicKey, Buffer.from(seal.signature, 'base64'))
  );
}
