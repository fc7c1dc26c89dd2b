import { useState, type FormEvent } from 'react';
import { api, idempotencyKey } from '../api/client';
import type { components } from '../api/openapi';
import { explain, useProblem, type Explained } from '../errors';
import { followMovement } from '../movements';
import { formatMinor, parseAmount } from '../money';
import { useNotify } from '../notifications';
import { navigate } from '../router';
import { AmountField, Field, FormError, Loading } from '../ui';
import { useWalletChoice, type Wallet } from '../wallets';
import { ConfirmStep, type ConfirmLine } from './ConfirmStep';
import { WalletPicker } from './WalletPicker';

type Quote = components['schemas']['TransferQuoteView'];

type By = 'email' | 'phone' | 'wallet';
interface Draft {
  wallet: Wallet;
  by: By;
  recipient: string;
  minor: bigint;
  description: string;
  /** What the recipient gets, from POST /transfers/quote: the transfer's own rate provider. */
  quote: Quote;
}

const BY_LABEL: Record<By, string> = {
  email: 'Recipient e-mail',
  phone: 'Recipient phone (+44…)',
  wallet: 'Recipient wallet id',
};

/** Send money to an e-mail, phone number or wallet, after a confirmation step. */
export function Send() {
  const notify = useNotify();
  const { wallets, wallet: shown, choose } = useWalletChoice();
  const [by, setBy] = useState<By>('email');
  const [draft, setDraft] = useState<Draft | null>(null);
  const { problem, setProblem, fieldError } = useProblem();
  const [busy, setBusy] = useState(false);
  const [requoted, setRequoted] = useState(false);
  if (!wallets || !shown) return <Loading what="your wallets" />;
  const wallet = shown;

  async function review(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const recipient = String(form.get('recipient') ?? '').trim();
    if (!recipient) return setProblem({ text: 'Say who receives the money.', field: 'recipient' });
    const amount = parseAmount(String(form.get('amount')), wallet.currency);
    if (!amount.ok) return setProblem({ text: amount.problem, field: 'amount' });
    setBusy(true);
    const quoted = await quoteFor(wallet, by, recipient, amount.minor);
    setBusy(false);
    if (!quoted.ok) return setProblem(quoted.problem);
    setProblem(null);
    setRequoted(false);
    setDraft({
      wallet,
      by,
      recipient,
      minor: amount.minor,
      description: String(form.get('description') ?? ''),
      quote: quoted.quote,
    });
  }

  async function confirm() {
    if (!draft) return;
    setBusy(true);
    // The rate is not held: past its expiry the person sees the new figures before sending.
    if (Date.parse(draft.quote.expiresAt) <= Date.now()) {
      const quoted = await quoteFor(draft.wallet, draft.by, draft.recipient, draft.minor);
      setBusy(false);
      if (!quoted.ok) {
        setDraft(null);
        return setProblem(quoted.problem);
      }
      setRequoted(true);
      return setDraft({ ...draft, quote: quoted.quote });
    }
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
    const { quote } = draft;
    const lines: ConfirmLine[] = [
      {
        term: 'You send',
        value: formatMinor(draft.minor, draft.wallet.currency),
        testId: 'confirm-amount',
      },
      { term: 'To', value: draft.recipient },
      ...(quote.rate
        ? [
            {
              term: 'Exchange rate',
              value: `1 ${quote.currency} = ${quote.rate} ${quote.creditCurrency} (${
                quote.rateSource === 'configured' ? "the service's rate" : quote.rateSource
              }${quote.rateAsOf ? `, as of ${new Date(quote.rateAsOf).toLocaleString()}` : ''})`,
              testId: 'confirm-rate',
            },
          ]
        : []),
      {
        term: 'Recipient gets',
        value: formatMinor(quote.creditAmountMinor, quote.creditCurrency),
        testId: 'confirm-credit',
      },
      ...(draft.description ? [{ term: 'Description', value: draft.description }] : []),
    ];
    return (
      <ConfirmStep
        title="Confirm the transfer"
        label="Transfer details"
        lines={lines}
        confirmText="Confirm and send"
        busyText="Sending…"
        busy={busy}
        onConfirm={confirm}
        onChange={() => setDraft(null)}
        problem={
          requoted
            ? 'The exchange rate was refreshed: check the amounts and confirm again.'
            : undefined
        }
      />
    );
  }

  return (
    <main>
      <h1>Send money</h1>
      <form onSubmit={review} noValidate aria-label="Send money">
        <WalletPicker wallets={wallets} value={wallet.id} onChange={choose} />
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
        <AmountField currency={wallet.currency} error={fieldError('amount')} />
        <Field label="Description (optional)" name="description" maxLength={140} />
        <FormError text={problem && !problem.field ? problem.text : undefined} />
        <button type="submit" disabled={busy}>
          Review
        </button>
      </form>
    </main>
  );
}

type Quoted = { ok: true; quote: Quote } | { ok: false; problem: Explained };

/** The figures the confirmation step shows; a refusal names the field it concerns. */
async function quoteFor(wallet: Wallet, by: By, recipient: string, minor: bigint): Promise<Quoted> {
  const { data, error, response } = await api.POST('/transfers/quote', {
    body: {
      fromWalletId: wallet.id,
      amountMinor: minor.toString(),
      ...(by === 'email' && { toEmail: recipient }),
      ...(by === 'phone' && { toPhone: recipient }),
      ...(by === 'wallet' && { toWalletId: recipient }),
    },
  });
  if (!data) return { ok: false, problem: explain(error, response.status) };
  return { ok: true, quote: data };
}
