import { useEffect, useRef, useState } from 'react';
import { useLive } from '../live';
import { formatMinor } from '../money';
import { useNotify } from '../notifications';
import { Link } from '../router';
import { Empty, Loading } from '../ui';
import { loadWallets, type Wallet } from '../wallets';
import { History } from './History';
import { SpendingChart } from './SpendingChart';

/** Balances per wallet, and the chosen wallet's statement and spending. */
export function Home() {
  const live = useLive(loadWallets, []);
  const [chosen, setChosen] = useState<string | null>(null);
  useBalanceNotices(live.data?.wallets);
  if (!live.data)
    return live.failed ? (
      <Empty>Your wallets cannot be loaded right now.</Empty>
    ) : (
      <Loading what="your wallets" />
    );
  const { wallets, offline } = live.data;
  const wallet = wallets.find((w) => w.id === chosen) ?? wallets[0];

  return (
    <main>
      {offline && (
        <p className="offline-banner" role="status">
          Offline: showing the balances and statement saved on this device. Nothing can be sent
          until you are back online.
        </p>
      )}
      <h1>Your wallets</h1>
      {wallets.length === 0 ? (
        <Empty>You have no wallet yet.</Empty>
      ) : (
        <ul className="wallets" aria-label="Balances">
          {wallets.map((w) => (
            <li key={w.id}>
              <button
                type="button"
                className={`wallet-card${w.id === wallet?.id ? ' chosen' : ''}`}
                aria-pressed={w.id === wallet?.id}
                onClick={() => setChosen(w.id)}
              >
                <span className="currency">{w.currency} wallet</span>
                <span className="balance" data-testid={`balance-${w.currency}`}>
                  {formatMinor(w.availableMinor, w.currency)}
                </span>
                <span className="sub">
                  {BigInt(w.heldMinor) > 0n
                    ? `${formatMinor(w.heldMinor, w.currency)} on hold`
                    : w.status === 'open'
                      ? 'Available'
                      : `Wallet ${w.status}`}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {!offline && (
        <nav className="actions" aria-label="Actions">
          <Link href="/top-up">Top up</Link>
          <Link href="/send">Send</Link>
          <Link href="/withdraw">Withdraw</Link>
        </nav>
      )}
      {wallet && (
        <>
          <SpendingChart wallet={wallet} offline={offline} />
          <History wallet={wallet} />
        </>
      )}
    </main>
  );
}

/** Tells the person when money arrives or leaves while they look at the page. */
function useBalanceNotices(wallets: Wallet[] | undefined) {
  const notify = useNotify();
  const seen = useRef(new Map<string, bigint>());
  useEffect(() => {
    for (const w of wallets ?? []) {
      const before = seen.current.get(w.id);
      const now = BigInt(w.postedMinor);
      if (before !== undefined && now !== before) {
        const delta = now - before;
        notify(
          delta > 0n ? 'success' : 'info',
          delta > 0n
            ? `${formatMinor(delta, w.currency)} arrived in your ${w.currency} wallet.`
            : `${formatMinor(-delta, w.currency)} left your ${w.currency} wallet.`,
        );
      }
      seen.current.set(w.id, now);
    }
  }, [wallets, notify]);
}
