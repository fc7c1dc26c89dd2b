import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parsePosition, START, comparePositions } from '@ledger/event-store';
import { Differences, LedgerReplay, type Difference } from '@ledger/read-models';
import { publicKeyFromBase64, type Checkpoint } from '../checkpoint';
import { LogAudit, type AuditSummary } from '../log.audit';
import {
  EXPORT_FORMAT,
  fromExportedEvent,
  type ExportLine,
  type ExportedEvent,
} from './ledger.export';

export interface CurrencyTotals {
  readonly currency: string;
  readonly debitsMinor: string;
  readonly creditsMinor: string;
}

export interface ExportVerifyReport {
  readonly clean: boolean;
  /** The key came from the export itself, not from the auditor: it proves consistency, not origin. */
  readonly keyFromExport: boolean;
  readonly from: string;
  readonly head: string;
  readonly audit: AuditSummary;
  /** Entries that do not match their events, unreadable events, unbalanced currencies. */
  readonly ledgerFindings: readonly Difference[];
  readonly ledgerFindingCount: number;
  /** Debits and credits per currency recomputed from the events (a full export only). */
  readonly totals: readonly CurrencyTotals[];
  /** Whether the end line's trial balance, from the read models, equals `totals`; absent when it has none. */
  readonly trialBalanceMatches?: boolean;
}

/**
 * Verifies an export with no database and no server: the hash chains, the
 * checkpoints (against `publicKeyBase64`, or the export's own key), every
 * entry against its event, debits equal to credits in every currency after
 * every event, and the final totals against the trial balance the export ends
 * with. Reads line by line: memory holds the checkpoints and one head and one
 * tally per stream, not the events.
 */
export async function verifyExportFile(
  path: string,
  publicKeyBase64?: string,
): Promise<ExportVerifyReport> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  const state = new ExportState(publicKeyBase64);
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === '') continue;
    state.accept(JSON.parse(text) as ExportLine, lineNumber);
  }
  return state.finish();
}

class ExportState {
  private header?: Extract<ExportLine, { kind: 'header' }>;
  private end?: Extract<ExportLine, { kind: 'end' }>;
  private readonly checkpoints: Checkpoint[] = [];
  private audit?: LogAudit;
  private readonly differences = new Differences();
  private readonly replay = new LedgerReplay(this.differences.add);

  constructor(private readonly publicKeyBase64?: string) {}

  accept(line: ExportLine, lineNumber: number): void {
    if (!this.header) {
      if (line.kind !== 'header' || line.format !== EXPORT_FORMAT)
        throw new TypeError(`line ${lineNumber}: not a ${EXPORT_FORMAT} export`);
      this.header = line;
      return;
    }
    if (this.end) throw new TypeError(`line ${lineNumber}: content after the end line`);
    if (line.kind === 'checkpoint') {
      if (this.audit) throw new TypeError(`line ${lineNumber}: a checkpoint after the events`);
      const { kind: _kind, ...checkpoint } = line;
      this.checkpoints.push(checkpoint as unknown as Checkpoint);
    } else if (line.kind === 'event') {
      this.event(line);
    } else if (line.kind === 'end') {
      this.end = line;
    } else {
      throw new TypeError(`line ${lineNumber}: unknown kind`);
    }
  }

  private event(line: ExportedEvent): void {
    this.audit ??= this.newAudit();
    const event = fromExportedEvent(line);
    this.audit.apply(event);
    this.replay.apply(event);
    // The replay checks each entry against the posting its event implies: one
    // amount debited to one account and credited to another, so every
    // currency balances after every event, and the totals below must too.
  }

  private newAudit(): LogAudit {
    const key = publicKeyFromBase64(this.publicKeyBase64 ?? this.header!.publicKey);
    const partial = comparePositions(parsePosition(this.header!.from) ?? START, START) !== 0;
    return new LogAudit(this.checkpoints, key, partial);
  }

  finish(): ExportVerifyReport {
    if (!this.header) throw new TypeError('the export is empty');
    if (!this.end) throw new TypeError('the export has no end line: it was cut short');
    const audit = (this.audit ??= this.newAudit()).finish();
    const totals = this.totals();
    for (const t of totals) {
      if (t.debitsMinor !== t.creditsMinor) {
        this.differences.add({
          kind: 'unbalanced_currency',
          subject: t.currency,
          expected: `credits ${t.debitsMinor}`,
          actual: `credits ${t.creditsMinor}`,
        });
      }
    }
    const full = this.header.from === '-1.-1';
    const expected = this.end.trialBalance;
    const trialBalanceMatches =
      full && expected ? JSON.stringify(expected) === JSON.stringify(totals) : undefined;
    const eventsMatch = audit.eventsChecked === this.end.events;
    return {
      clean:
        audit.clean && this.differences.count === 0 && trialBalanceMatches !== false && eventsMatch,
      keyFromExport: this.publicKeyBase64 === undefined,
      from: this.header.from,
      head: this.end.head,
      audit,
      ledgerFindings: this.differences.listed,
      ledgerFindingCount: this.differences.count,
      totals,
      ...(trialBalanceMatches !== undefined && { trialBalanceMatches }),
    };
  }

  /** Per currency, every wallet's and account's debits and credits, as the trial balance sums them. */
  private totals(): CurrencyTotals[] {
    const sums = new Map<string, { debits: bigint; credits: bigint }>();
    const add = (currency: string, debits: bigint, credits: bigint) => {
      const s = sums.get(currency) ?? { debits: 0n, credits: 0n };
      s.debits += debits;
      s.credits += credits;
      sums.set(currency, s);
    };
    for (const tally of this.replay.wallets.values()) {
      if (tally.wallet.status !== 'unopened')
        add(tally.wallet.currency, tally.debits, tally.credits);
    }
    for (const account of this.replay.accounts.values())
      add(account.currency, account.debits, account.credits);
    return [...sums.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([currency, s]) => ({
        currency,
        debitsMinor: s.debits.toString(),
        creditsMinor: s.credits.toString(),
      }));
  }
}
