import { compareBalanceHistory } from './balance-history.compare';
import type { LedgerReplay, WalletTally } from './ledger-replay';
import type { ReadModelSnapshot, WalletRow } from './read-model.snapshot';
import type { Difference } from './verify.report';

type Report = (difference: Difference) => void;

/** Compares the replay with the read models; both must stand at the same position. */
export function compareWithReadModels(
  replay: LedgerReplay,
  snapshot: ReadModelSnapshot,
  report: Report,
): void {
  compareWallets(replay, snapshot, report);
  compareAccounts(replay, snapshot, report);
  compareBalanceHistory(replay, snapshot.balanceHistory, report);
}

function compareWallets(replay: LedgerReplay, snapshot: ReadModelSnapshot, report: Report): void {
  for (const [walletId, tally] of replay.wallets) {
    if (tally.wallet.status === 'unopened') continue;
    const row = snapshot.wallets.get(walletId);
    if (!row) {
      report({ kind: 'wallet_missing', subject: walletId });
      continue;
    }
    for (const [field, expected, actual] of walletFields(tally, row)) {
      if (expected !== actual)
        report({ kind: 'wallet_mismatch', subject: walletId, field, expected, actual });
    }
    compareHistory(walletId, tally, snapshot, report);
  }
  for (const walletId of snapshot.wallets.keys()) {
    const status = replay.wallets.get(walletId)?.wallet.status ?? 'unopened';
    if (status === 'unopened') report({ kind: 'wallet_unexpected', subject: walletId });
  }
}

function walletFields(tally: WalletTally, row: WalletRow): Array<[string, string, string]> {
  const wallet = tally.wallet;
  if (wallet.status === 'unopened') return [];
  return [
    ['owner_id', wallet.ownerId, row.ownerId],
    ['currency', wallet.currency, row.currency],
    ['status', wallet.status, row.status],
    ['posted_minor', String(wallet.postedMinor), String(row.posted)],
    ['held_minor', String(wallet.heldMinor), String(row.held)],
    ['credits_minor', String(tally.credits), String(row.credits)],
    ['debits_minor', String(tally.debits), String(row.debits)],
    ['revision', String(tally.revision), String(row.revision)],
  ];
}

function compareHistory(
  walletId: string,
  tally: WalletTally,
  snapshot: ReadModelSnapshot,
  report: Report,
): void {
  const history = snapshot.history.get(walletId);
  const actual = history
    ? `${history.rows} rows, last revision ${history.lastRevision}, credited ${history.credited}, debited ${history.debited}`
    : 'no rows';
  const expected = `${tally.events} rows, last revision ${tally.revision}, credited ${tally.credits}, debited ${tally.debits}`;
  if (actual !== expected)
    report({ kind: 'history_mismatch', subject: walletId, expected, actual });
}

function compareAccounts(replay: LedgerReplay, snapshot: ReadModelSnapshot, report: Report): void {
  for (const [key, tally] of replay.accounts) {
    const subject = `${tally.account} ${tally.currency}`;
    const row = snapshot.accounts.get(key);
    if (!row) {
      report({ kind: 'account_missing', subject });
      continue;
    }
    if (row.debits !== tally.debits) {
      report({
        kind: 'account_mismatch',
        subject,
        field: 'debits_minor',
        expected: String(tally.debits),
        actual: String(row.debits),
      });
    }
    if (row.credits !== tally.credits) {
      report({
        kind: 'account_mismatch',
        subject,
        field: 'credits_minor',
        expected: String(tally.credits),
        actual: String(row.credits),
      });
    }
  }
  for (const key of snapshot.accounts.keys()) {
    if (!replay.accounts.has(key))
      report({ kind: 'account_unexpected', subject: key.replace('\u0000', ' ') });
  }
}
