import { useState } from 'react';
import { api, idempotencyKey } from '../api/client';
import { describeCard, loadCards, type Card } from '../cards';
import { explain } from '../errors';
import { useLive } from '../live';
import { useNotify } from '../notifications';
import { Empty, FormError, Loading } from '../ui';

/**
 * Linked cards: list, link and unlink. Linking starts a SetupIntent; on the
 * embedded default the sandbox links its test card at once, so the new card
 * is simply in the next list. With a real provider the card details would be
 * confirmed in the provider's own form, which this app does not embed yet.
 */
export function Cards() {
  const notify = useNotify();
  const cards = useLive(loadCards, []);
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);

  async function link() {
    setBusy(true);
    setProblem(undefined);
    const before = new Set((cards.data ?? []).map((c) => c.paymentMethodId));
    const { error, response } = await api.POST('/cards/setup-intents', {
      params: { header: { 'Idempotency-Key': idempotencyKey() } },
    });
    if (!response.ok) {
      setBusy(false);
      return setProblem(explain(error, response.status).text);
    }
    const after = await loadCards().catch(() => [] as Card[]);
    setBusy(false);
    cards.reload();
    const added = after.find((c) => !before.has(c.paymentMethodId));
    if (added) notify('success', `Card linked: ${describeCard(added)}.`);
    else
      setProblem(
        'Your card company has to confirm this card in its own form, which this app cannot show yet.',
      );
  }

  async function unlink(card: Card) {
    setBusy(true);
    setProblem(undefined);
    const { error, response } = await api.DELETE('/cards/{id}', {
      params: { path: { id: card.paymentMethodId } },
    });
    setBusy(false);
    setConfirming(null);
    // A card already gone answers like a missing one: the list is right either way.
    if (!response.ok && response.status !== 404)
      return setProblem(explain(error, response.status).text);
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
      <FormError text={problem} />
      <button type="button" onClick={link} disabled={busy}>
        {busy ? 'Please wait…' : 'Link a card'}
      </button>
    </main>
  );
}
