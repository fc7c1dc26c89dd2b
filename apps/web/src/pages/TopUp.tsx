import { useCallback, useState, type FormEvent } from 'react';
import { api, idempotencyKey } from '../api/client';
import { describeCard, loadCards, useCardForm } from '../cards';
import { explain, useProblem } from '../errors';
import { useLive } from '../live';
import { followMovement } from '../movements';
import { formatMinor, parseAmount } from '../money';
import { useNotify } from '../notifications';
import { navigate } from '../router';
import { useMe } from '../session';
import { AmountField, Field, FieldError, FormError, Loading, SelectField } from '../ui';
import { useWalletChoice } from '../wallets';
import { StripeCard, type StripeCardHandle } from './StripeCard';
import { WalletPicker } from './WalletPicker';

/**
 * Top up by card or, for a KES wallet whose owner has a phone number on the
 * profile, by M-Pesa. With linked cards the person picks one and it is
 * charged at once. Without, on the embedded default the sandbox gateway
 * settles the payment itself, so this form stands in for the card form; with
 * the Stripe gateway and its publishable key (GET /top-ups/card-form) the
 * form is Stripe's card Element, which confirms the answer's client secret.
 */
export function TopUp() {
  const me = useMe();
  const notify = useNotify();
  const { wallets, wallet: shown, choose } = useWalletChoice();
  // Without an answer about cards the fixed sandbox card still works.
  const cards = useLive(() => loadCards().catch(() => []), []).data;
  const [method, setMethod] = useState<'card' | 'mpesa'>('card');
  const { setProblem, fieldError, formError } = useProblem();
  const [busy, setBusy] = useState(false);
  const cardForm = useCardForm();
  const [stripeCard, setStripeCard] = useState<StripeCardHandle | null>(null);
  const onStripeReady = useCallback((handle: StripeCardHandle | null) => setStripeCard(handle), []);
  if (!wallets || !cards || !cardForm) return <Loading what="your wallets and cards" />;
  if (!shown) return <Loading what="your wallets" />;
  const wallet = shown;
  const linked = cards;
  const mpesaOffered = wallet.currency === 'KES' && !!me.phone;
  const chosen = mpesaOffered ? method : 'card';
  // Errors of fields not on screen go to the form's own error line.
  const stripeKey =
    chosen === 'card' && cards.length === 0 && cardForm.provider === 'stripe'
      ? cardForm.publishableKey
      : undefined;
  const shownByField = [
    'amount',
    ...(mpesaOffered ? ['method'] : []),
    ...(chosen === 'card' && cards.length > 0 ? ['card'] : []),
    ...(stripeKey ? ['card-element'] : []),
  ];

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const amount = parseAmount(String(form.get('amount')), wallet.currency);
    const paymentMethodId =
      chosen === 'card' && linked.length > 0 ? String(form.get('card') ?? '') : undefined;
    if (!amount.ok) return setProblem({ text: amount.problem, field: 'amount' });
    if (stripeKey && !stripeCard)
      return setProblem({ text: 'The card form is still loading.', field: 'card-element' });
    setBusy(true);
    setProblem(null);
    const { data, error, response } = await api.POST('/top-ups', {
      params: { header: { 'Idempotency-Key': idempotencyKey() } },
      body: {
        walletId: wallet.id,
        amountMinor: amount.minor.toString(),
        currency: wallet.currency,
        ...(chosen === 'mpesa' ? { method: 'mpesa' as const } : { paymentMethodId }),
      },
    });
    if (!response.ok) {
      setBusy(false);
      return setProblem(explain(error, response.status));
    }
    const { id, clientSecret } = data as unknown as { id: string; clientSecret?: string };
    if (stripeKey && stripeCard) {
      // Stripe confirms the payment with the card in its frame; the wallet is
      // credited when Stripe tells the service (its webhook), as for any card.
      const confirmed = clientSecret
        ? await stripeCard.stripe.confirmCardPayment(clientSecret, {
            payment_method: { card: stripeCard.card },
          })
        : { error: { message: 'The card company did not start the payment. Try again.' } };
      if (confirmed.error) {
        setBusy(false);
        return setProblem({
          text: confirmed.error.message ?? 'The card company refused this. Try another card.',
          field: 'card-element',
        });
      }
    }
    setBusy(false);
    notify(
      'info',
      chosen === 'mpesa'
        ? `Top-up of ${formatMinor(amount.minor, wallet.currency)} requested: confirm it on your phone.`
        : `Top-up of ${formatMinor(amount.minor, wallet.currency)} requested.`,
    );
    navigate('/');
    void followMovement(id, notify);
  }

  return (
    <main>
      <h1>Top up</h1>
      <form onSubmit={submit} noValidate aria-label="Top up">
        <WalletPicker wallets={wallets} value={wallet.id} onChange={choose} label="Wallet" />
        <AmountField currency={wallet.currency} error={fieldError('amount')} />
        {mpesaOffered && (
          <fieldset className="methods" aria-describedby="method-error">
            <legend>Pay with</legend>
            <label>
              <input
                type="radio"
                name="method"
                value="card"
                checked={chosen === 'card'}
                onChange={() => setMethod('card')}
              />{' '}
              Card
            </label>
            <label>
              <input
                type="radio"
                name="method"
                value="mpesa"
                checked={chosen === 'mpesa'}
                onChange={() => setMethod('mpesa')}
              />{' '}
              M-Pesa
            </label>
            <FieldError id="method-error" error={fieldError('method')} />
          </fieldset>
        )}
        {chosen === 'mpesa' ? (
          <p className="hint" data-testid="mpesa-phone">
            M-Pesa asks {me.phone} to confirm the payment. Whole shillings only.
          </p>
        ) : cards.length > 0 ? (
          <SelectField label="Card" name="card" error={fieldError('card')}>
            {cards.map((c) => (
              <option key={c.paymentMethodId} value={c.paymentMethodId}>
                {describeCard(c)}
              </option>
            ))}
          </SelectField>
        ) : stripeKey ? (
          <StripeCard
            publishableKey={stripeKey}
            error={fieldError('card-element')}
            onReady={onStripeReady}
          />
        ) : cardForm.provider === 'stripe' ? (
          <p className="hint">
            Your card company has to confirm this payment in its own form, which this service has
            not been set up to show.
          </p>
        ) : (
          <fieldset className="card-form">
            <legend>Card (sandbox)</legend>
            <p className="hint">
              This service runs on its payment sandbox: no card is charged and the payment settles
              by itself.
            </p>
            <Field
              label="Card number"
              name="sandbox-card"
              defaultValue="4242 4242 4242 4242"
              readOnly
            />
          </fieldset>
        )}
        <FormError text={formError(shownByField)} />
        <button type="submit" disabled={busy}>
          {busy ? 'Please wait…' : 'Top up'}
        </button>
      </form>
    </main>
  );
}
