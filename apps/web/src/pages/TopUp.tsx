import { useState, type FormEvent } from 'react';
import { api, idempotencyKey } from '../api/client';
import { explain, type Explained } from '../errors';
import { useLive } from '../live';
import { followMovement } from '../movements';
import { formatMinor, parseAmount } from '../money';
import { useNotify } from '../notifications';
import { navigate } from '../router';
import { Field, FormError, Loading } from '../ui';
import { loadWallets } from '../wallets';
import { WalletPicker } from './WalletPicker';

/**
 * Top up by card. On the embedded default the sandbox gateway settles the
 * payment itself, so this form stands in for the card form; with Stripe
 * configured the client secret in the answer is what Stripe Elements confirms.
 */
export function TopUp() {
  const notify = useNotify();
  const wallets = useLive(loadWallets, []).data?.wallets;
  const [walletId, setWalletId] = useState('');
  const [problem, setProblem] = useState<Explained | null>(null);
  const [busy, setBusy] = useState(false);
  if (!wallets) return <Loading what="your wallets" />;
  const wallet = wallets.find((w) => w.id === walletId) ?? wallets[0];

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const amount = parseAmount(
      String(new FormData(event.currentTarget).get('amount')),
      wallet.currency,
    );
    if (!amount.ok) return setProblem({ text: amount.problem, field: 'amount' });
    setBusy(true);
    setProblem(null);
    const { data, error, response } = await api.POST('/top-ups', {
      params: { header: { 'Idempotency-Key': idempotencyKey() } },
      body: {
        walletId: wallet.id,
        amountMinor: amount.minor.toString(),
        currency: wallet.currency,
      },
    });
    setBusy(false);
    if (!response.ok) return setProblem(explain(error, response.status));
    const { id } = data as unknown as { id: string };
    notify('info', `Top-up of ${formatMinor(amount.minor, wallet.currency)} requested.`);
    navigate('/');
    void followMovement(id, notify);
  }

  return (
    <main>
      <h1>Top up</h1>
      <form onSubmit={submit} noValidate aria-label="Top up">
        <WalletPicker wallets={wallets} value={wallet.id} onChange={setWalletId} label="Wallet" />
        <Field
          label={`Amount (${wallet.currency})`}
          name="amount"
          inputMode="decimal"
          required
          error={problem?.field === 'amount' ? problem.text : undefined}
        />
        <fieldset className="card-form">
          <legend>Card (sandbox)</legend>
          <p className="hint">
            This service runs on its payment sandbox: no card is charged and the payment settles by
            itself.
          </p>
          <Field label="Card number" name="card" defaultValue="4242 4242 4242 4242" readOnly />
        </fieldset>
        <FormError text={problem && problem.field !== 'amount' ? problem.text : undefined} />
        <button type="submit" disabled={busy}>
          {busy ? 'Please wait…' : 'Top up'}
        </button>
      </form>
    </main>
  );
}
