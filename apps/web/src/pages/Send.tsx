import { useState, type FormEvent } from 'react';
import { api, idempotencyKey } from '../api/client';
import { explain, type Explained } from '../errors';
import { useLive } from '../live';
import { followMovement } from '../movements';
import { formatMinor, parseAmount } from '../money';
import { useNotify } from '../notifications';
import { navigate } from '../router';
import { Field, FormError, Loading } from '../ui';
import { loadWallets, type Wallet } from '../wallets';
import { WalletPicker } from './WalletPicker';

type By = 'email' | 'phone' | 'wallet';
interface Draft {
  wallet: Wallet;
  by: By;
  recipient: string;
  minor: bigint;
  description: string;
}

const BY_LABEL: Record<By, string> = {
  email: 'Recipient e-mail',
  phone: 'Recipient phone (+44…)',
  wallet: 'Recipient wallet id',
};

/** Send money to an e-mail, phone number or wallet, after a confirmation step. */
export function Send() {
  const notify = useNotify();
  const wallets = useLive(loadWallets, []).data?.wallets;
  const [walletId, setWalletId] = useState('');
  const [by, setBy] = useState<By>('email');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [problem, setProblem] = useState<Explained | null>(null);
  const [busy, setBusy] = useState(false);
  if (!wallets) return <Loading what="your wallets" />;
  const shown = wallets.find((w) => w.id === walletId) ?? wallets[0];
  // A new account's wallet is opened just after sign-up: until it is listed, keep waiting.
  if (!shown) return <Loading what="your wallets" />;
  const wallet = shown;
  const fieldError = (name: string) => (problem?.field === name ? problem.text : undefined);

  function review(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const recipient = String(form.get('recipient') ?? '').trim();
    if (!recipient) return setProblem({ text: 'Say who receives the money.', field: 'recipient' });
    const amount = parseAmount(String(form.get('amount')), wallet.currency);
    if (!amount.ok) return setProblem({ text: amount.problem, field: 'amount' });
    setProblem(null);
    setDraft({
      wallet,
      by,
      recipient,
      minor: amount.minor,
      description: String(form.get('description') ?? ''),
    });
  }

  async function confirm() {
    if (!draft) return;
    setBusy(true);
    const { data, error, response } = await api.POST('/transfers', {
      params: { header: { 'Idempotency-Key': idempotencyKey() } },
      body: {
        fromWalletId: draft.wallet.id,
        amountMinor: draft.minor.toString(),
        currency: draft.wallet.currency,
        ...(draft.by === 'email' && { toEmail: draft.recipient }),
        ...(draft.by === 'phone' && { toPhone: draft.recipient }),
        ...(draft.by === 'wallet' && { toWalletId: draft.recipient }),
        ...(draft.description && { description: draft.description }),
      },
    });
    setBusy(false);
    if (!data) {
      setDraft(null);
      return setProblem(explain(error, response.status));
    }
    const sent = formatMinor(draft.minor, draft.wallet.currency);
    if (data.status === 'completed') notify('success', `${sent} sent to ${draft.recipient}.`);
    else void followMovement(data.id, notify);
    navigate('/');
  }

  if (draft) {
    return (
      <main>
        <h1>Confirm the transfer</h1>
        <dl className="confirm" aria-label="Transfer details">
          <dt>You send</dt>
          <dd data-testid="confirm-amount">{formatMinor(draft.minor, draft.wallet.currency)}</dd>
          <dt>To</dt>
          <dd>{draft.recipient}</dd>
          <dt>Recipient gets</dt>
          <dd>
            {formatMinor(draft.minor, draft.wallet.currency)} if their wallet is in{' '}
            {draft.wallet.currency}; a wallet in another currency is credited at the service's
            current exchange rate for {draft.wallet.currency}.
          </dd>
          {draft.description && (
            <>
              <dt>Description</dt>
              <dd>{draft.description}</dd>
            </>
          )}
        </dl>
        <div className="row">
          <button type="button" onClick={confirm} disabled={busy}>
            {busy ? 'Sending…' : 'Confirm and send'}
          </button>
          <button type="button" className="secondary" onClick={() => setDraft(null)}>
            Change
          </button>
        </div>
      </main>
    );
  }

  return (
    <main>
      <h1>Send money</h1>
      <form onSubmit={review} noValidate aria-label="Send money">
        <WalletPicker wallets={wallets} value={wallet.id} onChange={setWalletId} />
        <fieldset className="segmented">
          <legend>Send to</legend>
          {(['email', 'phone', 'wallet'] as const).map((b) => (
            <label key={b}>
              <input type="radio" name="by" checked={by === b} onChange={() => setBy(b)} />
              {b === 'email' ? 'E-mail' : b === 'phone' ? 'Phone' : 'Wallet'}
            </label>
          ))}
        </fieldset>
        <Field
          label={BY_LABEL[by]}
          name="recipient"
          type={by === 'email' ? 'email' : by === 'phone' ? 'tel' : 'text'}
          required
          error={fieldError('recipient')}
        />
        <Field
          label={`Amount (${wallet.currency})`}
          name="amount"
          inputMode="decimal"
          required
          error={fieldError('amount')}
        />
        <Field label="Description (optional)" name="description" maxLength={140} />
        <FormError text={problem && !problem.field ? problem.text : undefined} />
        <button type="submit">Review</button>
      </form>
    </main>
  );
}
