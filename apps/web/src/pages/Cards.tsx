import { useCallback, useState } from 'react';
import { api, idempotencyKey } from '../api/client';
import { describeCard, loadCards, useCardForm, type Card } from '../cards';
import { explain, useProblem } from '../errors';
import { useLive } from '../live';
import { useNotify } from '../notifications';
import { Empty, FormError, Loading } from '../ui';
import { StripeCard, type StripeCardHandle } from './StripeCard';

/**
 * Linked cards: list, link and unlink. Linking starts a SetupIntent. On the
 * embedded default the sandbox links its test card at once, so the new card
 * is simply in the next list. With the Stripe gateway and its publishable key
 * (GET /top-ups/card-form) the person types the card into Stripe's card
 * Element, Stripe.js confirms the SetupIntent's client secret, and the
 * service is asked for the card it linked (POST
 * /cards/setup-intents/{id}/confirm).
 */
export function Cards() {
  const notify = useNotify();
  const cards = useLive(loadCards, []);
  const { problem, setProblem, fieldError } = useProblem();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const cardForm = useCardForm();
  const [adding, setAdding] = useState(false);
  const [stripeCard, setStripeCard] = useState<StripeCardHandle | null>(null);
  const onStripeReady = useCallback((handle: StripeCardHandle | null) => setStripeCard(handle), []);
  const stripeKey = cardForm?.provider === 'stripe' ? cardForm.publishableKey : undefined;
  const elementError = fieldError('card-element');

  /** Stripe's way: a SetupIntent, confirmed by Stripe.js with the card in its frame. */
  async function linkWithStripe() {
    if (!stripeCard)
      return setProblem({ text: 'The card form is still loading.', field: 'card-element' });
    setBusy(true);
    setProblem(null);
    const started = await api.POST('/cards/setup-intents', {
      params: { header: { 'Idempotency-Key': idempotencyKey() } },
    });
    if (!started.data) {
      setBusy(false);
      return setProblem(explain(started.error, started.response.status));
    }
    const { setupIntentId, clientSecret } = started.data;
    const confirmed = await stripeCard.stripe
      .confirmCardSetup(clientSecret, { payment_method: { card: stripeCard.card } })
      .catch(() => ({ error: { message: undefined } }));
    if (confirmed.error) {
      setBusy(false);
      return setProblem({
        text: confirmed.error.message ?? 'The card company refused this card. Try another one.',
        field: 'card-element',
      });
    }
    const linked = await api.POST('/cards/setup-intents/{id}/confirm', {
      params: { path: { id: setupIntentId } },
    });
    setBusy(false);
    if (!linked.data) return setProblem(explain(linked.error, linked.response.status));
    notify('success', `Card linked: ${describeCard(linked.data)}.`);
    setAdding(false);
    cards.reload();
  }

  async function link() {
    if (stripeKey) return setAdding(true);
    setBusy(true);
    setProblem(null);
    const before = new Set((cards.data ?? []).map((c) => c.paymentMethodId));
    const { error, response } = await api.POST('/cards/setup-intents', {
      params: { header: { 'Idempotency-Key': idempotencyKey() } },
    });
    if (!response.ok) {
      setBusy(false);
      return setProblem(explain(error, response.status));
    }
    const after = await loadCards().catch(() => [] as Card[]);
    setBusy(false);
    cards.reload();
    const added = after.find((c) => !before.has(c.paymentMethodId));
    if (added) notify('success', `Card linked: ${describeCard(added)}.`);
    else
      setProblem({
        text: 'Your card company has to confirm this card in its own form, which this service has not been set up to show.',
      });
  }

  async function unlink(card: Card) {
    setBusy(true);
    setProblem(null);
    const { error, response } = await api.DELETE('/cards/{id}', {
      params: { path: { id: card.paymentMethodId } },
    });
    setBusy(false);
    setConfirming(null);
    // A card already gone answers like a missing one: the list is right either way.
    if (!response.ok && response.status !== 404) return setProblem(explain(error, response.status));
    notify('info', `Card unlinked: ${describeCard(card)}.`);
    cards.reload();
  }

  return (
    <main>
      <h1>Cards</h1>
      <p className="hint">
        Linked cards pay for top-ups. Only the brand, the last four digits and the expiry are kept
        here; the card company keeps the rest.
      </p>
      {!cards.data ? (
        cards.failed ? (
          <FormError text="Your cards cannot be loaded right now. Try again in a moment." />
        ) : (
          <Loading what="your cards" />
        )
      ) : cards.data.length === 0 ? (
        <Empty>No card is linked yet.</Empty>
      ) : (
        <ul className="cards" aria-label="Linked cards">
          {cards.data.map((card) => (
            <li key={card.paymentMethodId} className="card-row">
              <span>{describeCard(card)}</span>
              {confirming === card.paymentMethodId ? (
                <span
                  role="group"
                  aria-label={`Unlink ${describeCard(card)}?`}
                  className="unlink-confirm"
                >
                  <span>Unlink this card?</span>
                  <button type="button" onClick={() => unlink(card)} disabled={busy} autoFocus>
                    Yes, unlink
                  </button>
                  <button type="button" className="secondary" onClick={() => setConfirming(null)}>
                    Keep it
                  </button>
                </span>
              ) : (
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Unlink ${describeCard(card)}`}
                  onClick={() => setConfirming(card.paymentMethodId)}
                >
                  Unlink
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {adding && stripeKey ? (
        <form
          aria-label="Link a card"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void linkWithStripe();
          }}
        >
          <StripeCard publishableKey={stripeKey} error={elementError} onReady={onStripeReady} />
          <FormError text={elementError ? undefined : problem?.text} />
          <button type="submit" disabled={busy}>
            {busy ? 'Please wait…' : 'Link this card'}
          </button>{' '}
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => {
              setAdding(false);
              setProblem(null);
            }}
          >
            Cancel
          </button>
        </form>
      ) : (
        <>
          <FormError text={problem?.text} />
          <button type="button" onClick={link} disabled={busy || !cardForm}>
            {busy ? 'Please wait…' : 'Link a card'}
          </button>
        </>
      )}
    </main>
  );
}
