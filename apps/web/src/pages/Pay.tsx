import { useState, type FormEvent } from 'react';
import { api, idempotencyKey } from '../api/client';
import type { components } from '../api/openapi';
import { explain, useProblem } from '../errors';
import { formatMinor, parseAmount } from '../money';
import { useNotify } from '../notifications';
import { AmountField, Field, FormError, Loading } from '../ui';
import { useWalletChoice, type Wallet } from '../wallets';
import { ConfirmStep } from './ConfirmStep';
import { WalletPicker } from './WalletPicker';

type Movement = components['schemas']['MovementView'];

interface Draft {
  wallet: Wallet;
  merchantId: string;
  reference: string;
  minor: bigint;
}

interface Answer {
  movement: Movement;
  /** The order had been paid before this confirmation: the answer is that first payment. */
  earlier: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Pay a merchant for an order, after a confirmation step; one payment per order reference. */
export function Pay() {
  const notify = useNotify();
  const { wallets, wallet: shown, choose } = useWalletChoice();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const { problem, setProblem, fieldError } = useProblem();
  const [busy, setBusy] = useState(false);
  if (!wallets || !shown) return <Loading what="your wallets" />;
  const wallet = shown;

  function review(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const merchantId = String(form.get('merchant') ?? '').trim();
    if (!UUID.test(merchantId))
      return setProblem({
        text: 'A merchant id looks like 8-4-4-4-12 letters and digits.',
        field: 'merchant',
      });
    const reference = String(form.get('reference') ?? '').trim();
    if (!reference) return setProblem({ text: 'Give the order reference.', field: 'reference' });
    const amount = parseAmount(String(form.get('amount')), wallet.currency);
    if (!amount.ok) return setProblem({ text: amount.problem, field: 'amount' });
    setProblem(null);
    setAnswer(null);
    setDraft({ wallet, merchantId, reference, minor: amount.minor });
  }

  async function confirm() {
    if (!draft) return;
    setBusy(true);
    const { data, error, response } = await api.POST('/payments', {
      params: { header: { 'Idempotency-Key': idempotencyKey() } },
      body: {
        merchantId: draft.merchantId,
        walletId: draft.wallet.id,
        amountMinor: draft.minor.toString(),
        currency: draft.wallet.currency,
        reference: draft.reference,
      },
    });
    if (!data) {
      setBusy(false);
      setDraft(null);
      return setProblem(explain(error, response.status));
    }
    const read = await api.GET('/movements/{id}', {
      params: { path: { id: data.id }, query: { position: data.position } },
    });
    setBusy(false);
    setDraft(null);
    if (!read.data) return setProblem(explain(read.error, read.response.status));
    const movement = read.data;
    // Paying an order again answers its first payment, marked by the API as a repeat.
    const earlier = data.repeated === true;
    setAnswer({ movement, earlier });
    if (movement.status === 'completed' && !earlier)
      notify('success', `${formatMinor(movement.amountMinor, movement.currency)} paid.`);
  }

  if (draft) {
    return (
      <ConfirmStep
        title="Confirm the payment"
        label="Payment details"
        lines={[
          {
            term: 'You pay',
            value: formatMinor(draft.minor, draft.wallet.currency),
            testId: 'confirm-amount',
          },
          { term: 'Merchant', value: draft.merchantId },
          { term: 'Order reference', value: draft.reference },
        ]}
        confirmText="Confirm and pay"
        busyText="Paying…"
        busy={busy}
        onConfirm={confirm}
        onChange={() => setDraft(null)}
      />
    );
  }

  return (
    <main>
      <h1>Pay a merchant</h1>
      {answer && <PaymentAnswer answer={answer} />}
      <form onSubmit={review} noValidate aria-label="Pay a merchant">
        <WalletPicker wallets={wallets} value={wallet.id} onChange={choose} />
        <Field
          label="Merchant id"
          name="merchant"
          required
          autoComplete="off"
          hint="The shop shows it at checkout."
          error={fieldError('merchant')}
        />
        <Field label="Order reference" name="reference" required error={fieldError('reference')} />
        <AmountField currency={wallet.currency} error={fieldError('amount')} />
        <FormError text={problem && !problem.field ? problem.text : undefined} />
        <button type="submit">Review</button>
      </form>
    </main>
  );
}

function PaymentAnswer({ answer: { movement, earlier } }: { answer: Answer }) {
  const amount = formatMinor(movement.amountMinor, movement.currency);
  const when = new Date(movement.createdAt).toLocaleString();
  let text: string;
  if (earlier)
    text = `Order ${movement.reference ?? ''} was already paid (${amount} on ${when}, ${movement.status}). Nothing was paid again.`;
  else if (movement.status === 'completed')
    text = `Paid ${amount} for order ${movement.reference ?? ''}.`;
  else if (movement.status === 'failed')
    text = `The payment was refused: ${movement.reasonText ?? movement.failureReason ?? 'no reason given'}.`;
  else text = `The payment of ${amount} is on its way.`;
  return (
    <section className="result" aria-live="polite" data-testid="payment-answer">
      <p>{text}</p>
      <p className="hint">Payment {movement.id}</p>
    </section>
  );
}
