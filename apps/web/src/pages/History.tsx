import { useState } from 'react';
import { api } from '../api/client';
import type { HistoryEntry, Page } from '../api/types';
import { useLive } from '../live';
import { formatMinor } from '../money';
import { KIND_WORDS } from '../movements';
import { Empty, Loading } from '../ui';
import type { Wallet } from '../wallets';

const PAGE_SIZE = 20;
const KINDS = ['top_up', 'transfer', 'withdrawal', 'refund', 'adjustment'] as const;
type Kind = (typeof KINDS)[number];

/** What an entry means for the person: money held is on its way, released money came back. */
function statusOf(entry: HistoryEntry): string {
  switch (entry.direction) {
    case 'hold':
      return 'Pending';
    case 'release':
      return 'Returned';
    case 'credit':
    case 'debit':
      return 'Completed';
    default:
      return entry.type.replace(/^Wallet/, '');
  }
}

export function History({ wallet }: { wallet: Wallet }) {
  const [kind, setKind] = useState<Kind | ''>('');
  const [from, setFrom] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const live = useLive(async () => {
    const { data, response } = await api.GET('/wallets/{id}/history', {
      params: {
        path: { id: wallet.id },
        query: {
          limit: PAGE_SIZE,
          cursor,
          kind: kind || undefined,
          from: from ? new Date(from).toISOString() : undefined,
        },
      },
    });
    if (!data) throw new Error(`history: ${response.status}`);
    return data as unknown as Page<HistoryEntry>;
  }, [wallet.id, kind, from, cursor]);
  const restart = () => setCursors([undefined]);
  const entries = oneRowPerMovement(live.data?.items ?? []);

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
      </div>
      {!live.data ? (
        <Loading what="the statement" />
      ) : entries.length === 0 ? (
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
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.eventId}>
                <td>{new Date(e.occurredAt).toLocaleString()}</td>
                <td>
                  {KIND_WORDS[e.kind ?? ''] ?? e.kind ?? '—'}
                  {e.description && <span className="description">{e.description}</span>}
                </td>
                <td>{counterparty(e)}</td>
                <td>{statusOf(e)}</td>
                <td className={`amount ${e.direction === 'credit' ? 'in' : 'out'}`}>
                  {e.direction === 'credit' || e.direction === 'release' ? '+' : '−'}
                  {formatMinor(e.amountMinor ?? '0', e.currency ?? wallet.currency)}
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

/**
 * A movement shows up in the history once per step (money held, then
 * captured); a person wants one line with where it stands now. The history
 * is newest first, so the first entry of a movement is its latest step.
 */
function oneRowPerMovement(items: HistoryEntry[]): HistoryEntry[] {
  const seen = new Set<string>();
  return items.filter((e) => {
    if (e.amountMinor === null) return false;
    if (!e.movementId) return true;
    if (seen.has(e.movementId)) return false;
    seen.add(e.movementId);
    return true;
  });
}

/** The other side of an entry as far as the wallet's own history knows it. */
function counterparty(entry: HistoryEntry): string {
  const contra = entry.contra ?? '';
  if (contra.includes('card')) return 'Card';
  if (contra.includes('payout')) return 'Bank account';
  if (contra.includes('fee')) return 'Fee';
  if (entry.kind === 'transfer' || contra.includes('transit')) return 'Another wallet';
  return contra.replace(/^system:/, '').replace(/_/g, ' ') || '—';
}
