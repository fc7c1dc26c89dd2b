import { Link, usePath } from './router';
import { isMerchant, isStaff, useSession } from './session';
import { Loading } from './ui';
import { Cards } from './pages/Cards';
import { Console } from './pages/Console';
import { Home } from './pages/Home';
import { Merchant } from './pages/Merchant';
import { Pay } from './pages/Pay';
import { Security } from './pages/Security';
import { Send } from './pages/Send';
import { SignIn } from './pages/SignIn';
import { TopUp } from './pages/TopUp';
import { Withdraw } from './pages/Withdraw';

const PAGES: Record<string, () => React.JSX.Element> = {
  '/': Home,
  '/top-up': TopUp,
  '/send': Send,
  '/pay': Pay,
  '/payments-received': Merchant,
  '/withdraw': Withdraw,
  '/cards': Cards,
  '/security': Security,
  '/console': Console,
};

export function App() {
  const { state, signOut } = useSession();
  const path = usePath();
  if (state.status === 'loading') return <Loading what="your session" />;
  // Offline with no session to refresh: the last saved balances, read only.
  if (state.status === 'offline') return <Home />;
  if (state.status === 'signed-out') return <SignIn />;
  const Page = PAGES[path] ?? Home;
  return (
    <>
      <header className="top">
        <a href="#content" className="skip">
          Skip to content
        </a>
        <strong className="brand">Ledger</strong>
        <nav aria-label="Main">
          <Link href="/">Home</Link>
          <Link href="/send">Send</Link>
          <Link href="/pay">Pay</Link>
          {isMerchant(state.me) && <Link href="/payments-received">Payments received</Link>}
          <Link href="/cards">Cards</Link>
          <Link href="/security">Security</Link>
          {isStaff(state.me) && <Link href="/console">Console</Link>}
        </nav>
        <button type="button" className="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <div id="content">
        <Page />
      </div>
    </>
  );
}
