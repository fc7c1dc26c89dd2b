import { api } from '../api/client';
import { useLive } from '../live';
import { formatMinor } from '../money';
import type { Wallet } from '../wallets';

interface MonthlyTotal {
  month: string;
  kind: string;
  currency: string;
  inMinor: string;
  outMinor: string;
}

const COLOURS: Record<string, string> = {
  transfer: '#2f6fdb',
  withdrawal: '#c2410c',
  top_up: '#15803d',
  adjustment: '#6b7280',
};
const HEIGHT = 120;
const MONTHS = 6;

/** Money out per month, stacked by kind; a fixed-size box so updates never move the page. */
export function SpendingChart({ wallet, offline }: { wallet: Wallet; offline: boolean }) {
  const live = useLive(async () => {
    if (offline) return [];
    const { data } = await api.GET('/movements/wallets/{walletId}/statistics', {
      params: { path: { walletId: wallet.id } },
    });
    return ((data as { months?: MonthlyTotal[] } | undefined)?.months ?? []).filter(
      (m) => m.currency === wallet.currency && BigInt(m.outMinor) > 0n,
    );
  }, [wallet.id, offline]);
  const rows = live.data ?? [];
  const months = [...new Set(rows.map((r) => r.month))].sort().slice(-MONTHS);
  const totals = months.map((m) =>
    rows.filter((r) => r.month === m).reduce((sum, r) => sum + BigInt(r.outMinor), 0n),
  );
  const max = totals.reduce((a, b) => (b > a ? b : a), 1n);
  const kinds = [...new Set(rows.map((r) => r.kind))];

  return (
    <section aria-labelledby="spending-title" className="chart">
      <h2 id="spending-title">Spending by month</h2>
      {months.length === 0 ? (
        <p className="empty chart-box">No spending to show yet.</p>
      ) : (
        <figure className="chart-box">
          <svg
            viewBox={`0 0 ${months.length * 60} ${HEIGHT + 20}`}
            role="img"
            aria-label={months
              .map((m, i) => `${m}: ${formatMinor(totals[i] ?? 0n, wallet.currency)}`)
              .join(', ')}
          >
            {months.map((m, i) => {
              let y = HEIGHT;
              return (
                <g key={m}>
                  {rows
                    .filter((r) => r.month === m)
                    .map((r) => {
                      const h = Number((BigInt(r.outMinor) * BigInt(HEIGHT)) / max);
                      y -= h;
                      return (
                        <rect
                          key={r.kind}
                          x={i * 60 + 10}
                          y={y}
                          width={40}
                          height={h}
                          fill={COLOURS[r.kind] ?? '#9333ea'}
                        />
                      );
                    })}
                  <text x={i * 60 + 30} y={HEIGHT + 15} textAnchor="middle" fontSize="11">
                    {m}
                  </text>
                </g>
              );
            })}
          </svg>
          <figcaption>
            {kinds.map((k) => (
              <span key={k} className="legend">
                <span className="swatch" style={{ background: COLOURS[k] ?? '#9333ea' }} />
                {k.replace('_', '-')}
              </span>
            ))}
          </figcaption>
        </figure>
      )}
    </section>
  );
}
