import { useState } from 'react';
import { api } from '../api/client';
import type { components } from '../api/openapi';
import { explain } from '../errors';
import { useLive } from '../live';
import { formatMinor } from '../money';
import { KIND_WORDS } from '../movements';
import { Empty, Loading } from '../ui';
import type { Wallet } from '../wallets';

type Line = components['schemas']['StatementLineView'];

const PAGE_SIZE = 20;
const KINDS = ['top_up', 'transfer', 'withdrawal', 'payment', 'refund', 'adjustment'] as const;
type Kind = (typeof KINDS)[number];
const STATUSES = ['pending', 'completed', 'failed'] as const;
type Status = (typeof STATUSES)[number];
const STATUS_WORDS: Readonly<Record<Status, string>> = {
  pending: 'Pending',
  completed: 'Completed',
  failed: 'Failed',
};

/**
 * The wallet's statement: one row per movement (not per ledger event), with
 * where it stands, who was on the other side, and the balance after each
 * completed row; a month of it as CSV, as a bank statement would be.
 */
export function History({ wallet }: { wallet: Wallet }) {
  const [kind, setKind] = useState<Kind | ''>('');
  const [status, setStatus] = useState<Status | ''>('');
  const [from, setFrom] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const live = useLive(async () => {
    const { data, response } = await api.GET('/wallets/{id}/statement', {
      params: {
        path: { id: wallet.id },
        query: {
          limit: PAGE_SIZE,
          cursor,
          kind: kind || undefined,
          status: status || undefined,
          from: from ? new Date(from).toISOString() : undefined,
        },
      },
    });
    if (!data) throw new Error(`statement: ${response.status}`);
    return data;
  }, [wallet.id, kind, status, from, cursor]);
  const restart = () => setCursors([undefined]);
  const lines = live.data?.items ?? [];

  return (
    <section aria-labelledby="statement-title" className="statement">
      <h2 id="statement-title">Statement</h2>
      <div className="filters">
        <label>
          Kind
          <select
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as Kind | '');
              restart();
            }}
          >
            <option value="">All</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_WORDS[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as Status | '');
              restart();
            }}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_WORDS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input
            type="date"
            value={from}
            onChange={(e) => {
              setFrom(e.target.value);
              restart();
            }}
          />
        </label>
        <MonthDownload wallet={wallet} />
      </div>
      {!live.data ? (
        <Loading what="the statement" />
      ) : lines.length === 0 ? (
        <Empty>No movements yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">What</th>
              <th scope="col">Counterparty</th>
              <th scope="col">Status</th>
              <th scope="col" className="amount">
                Amount
              </th>
              <th scope="col" className="amount">
                Balance
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line) => (
              <tr key={line.movementId}>
                <td>{new Date(line.createdAt).toLocaleString()}</td>
                <td>
                  {KIND_WORDS[line.kind] ?? line.kind}
                  {(line.description ?? line.reference) && (
                    <span className="description">{line.description ?? line.reference}</span>
                  )}
                  {line.fx && <span className="description">{fxWords(line.fx)}</span>}
                </td>
                <td>{counterparty(line)}</td>
                <td>{statusWords(line)}</td>
                <td className={`amount ${line.direction}`}>{amountOf(line, wallet.currency)}</td>
                <td className="amount">
                  {line.balanceAfterMinor !== undefined
                    ? formatMinor(line.balanceAfterMinor, line.currency)
                    : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button
          type="button"
          disabled={cursors.length === 1}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Newer
        </button>
        <button
          type="button"
          disabled={!live.data?.nextCursor}
          onClick={() => live.data?.nextCursor && setCursors([...cursors, live.data.nextCursor])}
        >
          Older
        </button>
      </div>
    </section>
  );
}

/** A month of the statement as CSV, fetched with the session (a plain link would carry no token). */
function MonthDownload({ wallet }: { wallet: Wallet }) {
  const [month, setMonth] = useState(() => new Date().toISOString().slice(0, 7));
  const [problem, setProblem] = useState<string | null>(null);
  const download = async () => {
    setProblem(null);
    const { data, error } = await api.GET('/wallets/{id}/statement', {
      params: { path: { id: wallet.id }, query: { month } },
      headers: { Accept: 'text/csv' },
      parseAs: 'blob',
    });
    if (!data) {
      setProblem(explain(error).text);
      return;
    }
    const url = URL.createObjectURL(data);
    const link = document.createElement('a');
    link.href = url;
    link.download = `statement-${wallet.currency}-${month}.csv`;
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <span className="download">
      <label>
        Month
        <input type="month" value={month} onChange={(e) => setMonth(e.target.value)} />
      </label>
      <button type="button" disabled={!month} onClick={() => void download()}>
        Download CSV
      </button>
      {problem && <span role="alert">{problem}</span>}
    </span>
  );
}

/** Completed rows moved money; a pending one holds it; a failed one moved nothing. */
function amountOf(line: Line, currency: string): string {
  if (line.status === 'pending' && line.heldMinor !== '0')
    return `${formatMinor(line.heldMinor, line.currency || currency)} held`;
  if (line.status === 'failed') return 'Nothing moved';
  const amount = formatMinor(line.amountMinor.replace(/^-/, ''), line.currency || currency);
  return `${line.direction === 'in' ? '+' : '−'}${amount}`;
}

/** A failed row says why, in the words the service gives a person. */
function statusWords(line: Line): string {
  const words = STATUS_WORDS[line.status];
  return line.status === 'failed' && line.reasonText ? `${words}: ${line.reasonText}` : words;
}

/** Who was on the other side, as far as the service may tell: a name and a masked address. */
function counterparty(line: Line): string {
  const c = line.counterparty;
  if (c) return [c.name, c.email ?? c.phone].filter(Boolean).join(' · ') || '—';
  switch (line.kind) {
    case 'top_up':
      return 'Your card or M-Pesa';
    case 'withdrawal':
      return 'Your bank account or M-Pesa';
    case 'adjustment':
      return 'Correction';
    default:
      return '—';
  }
}

function fxWords(fx: NonNullable<Line['fx']>): string {
  const debited = formatMinor(fx.debitedMinor, fx.debitedCurrency);
  const credited = formatMinor(fx.creditedMinor, fx.creditedCurrency);
  return `${debited} → ${credited} at ${fx.rate}${fx.source ? ` (${fx.source})` : ''}`;
}
