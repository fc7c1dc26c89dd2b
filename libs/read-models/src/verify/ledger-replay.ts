import type { RecordedEvent } from '@ledger/event-store';
import {
  evolve,
  ImpossibleWalletEvent,
  fromRecorded,
  initialWallet,
  postingOf,
  type Posting,
  type Wallet,
  WALLET_STREAM_PREFIX,
} from '@ledger/ledger';
import type { Difference } from './verify.report';

/**
 * The ledger recomputed from the log alone, independently of the projector:
 * wallets fold through the domain's own `evolve`, and every journal entry is
 * checked against the posting the domain derives from the event before its
 * legs are counted.
 */
export interface WalletTally {
  wallet: Wallet;
  revision: bigint;
  credits: bigint;
  debits: bigint;
  /** Events folded: the number of history rows the read model should hold. */
  events: number;
}

export interface AccountTally {
  readonly account: string;
  readonly currency: string;
  debits: bigint;
  credits: bigint;
}

export class LedgerReplay {
  readonly wallets = new Map<string, WalletTally>();
  /** System and transit accounts, keyed by `account \0 currency`. */
  readonly accounts = new Map<string, AccountTally>();
  eventsRead = 0;
  walletEvents = 0;

  constructor(private readonly report: (difference: Difference) => void) {}

  apply(event: RecordedEvent): void {
    this.eventsRead++;
    if (!event.streamId.startsWith(WALLET_STREAM_PREFIX)) return;
    this.walletEvents++;
    const walletId = event.streamId.slice(WALLET_STREAM_PREFIX.length);
    let tally = this.wallets.get(walletId);
    if (!tally) {
      tally = { wallet: initialWallet, revision: -1n, credits: 0n, debits: 0n, events: 0 };
      this.wallets.set(walletId, tally);
    }
    if (event.revision !== tally.revision + 1n) {
      this.report({
        kind: 'revision_gap',
        subject: walletId,
        expected: String(tally.revision + 1n),
        actual: String(event.revision),
      });
    }
    tally.revision = event.revision;
    let decoded;
    try {
      decoded = fromRecorded(event);
    } catch (error) {
      this.report({
        kind: 'unreadable_event',
        subject: event.id,
        actual: (error as Error).message,
      });
      return;
    }
    try {
      tally.wallet = evolve(tally.wallet, decoded);
    } catch (error) {
      if (!(error instanceof ImpossibleWalletEvent)) throw error;
      // Reported, and left out of the wallet's state and its tallies.
      this.report({ kind: 'impossible_event', subject: event.id, actual: error.message });
      return;
    }
    tally.events++;
    const posting = postingOf(walletId, decoded);
    if (!sameEntry(posting, (event.data as { entry?: RecordedEntry }).entry)) {
      this.report({
        kind: 'entry_mismatch',
        subject: event.id,
        expected: describe(posting),
        actual: JSON.stringify(event.data.entry ?? null),
      });
    }
    if (posting) this.post(walletId, tally, posting);
  }

  private post(walletId: string, tally: WalletTally, posting: Posting): void {
    const own = `wallet:${walletId}`;
    if (posting.credit === own) tally.credits += posting.amountMinor;
    else this.account(posting.credit, posting.currency).credits += posting.amountMinor;
    if (posting.debit === own) tally.debits += posting.amountMinor;
    else this.account(posting.debit, posting.currency).debits += posting.amountMinor;
  }

  private account(account: string, currency: string): AccountTally {
    const key = `${account}\u0000${currency}`;
    let tally = this.accounts.get(key);
    if (!tally) {
      tally = { account, currency, debits: 0n, credits: 0n };
      this.accounts.set(key, tally);
    }
    return tally;
  }
}

interface RecordedEntry {
  readonly debit?: unknown;
  readonly credit?: unknown;
  readonly amountMinor?: unknown;
  readonly currency?: unknown;
}

function sameEntry(posting: Posting | undefined, entry: RecordedEntry | undefined): boolean {
  if (!posting || !entry) return posting === undefined && entry === undefined;
  return (
    entry.debit === posting.debit &&
    entry.credit === posting.credit &&
    entry.amountMinor === posting.amountMinor.toString() &&
    entry.currency === posting.currency
  );
}

function describe(posting: Posting | undefined): string {
  return posting
    ? JSON.stringify({ ...posting, amountMinor: posting.amountMinor.toString() })
    : 'null';
}
