import { useEffect, useRef, useState } from 'react';
import { loadStripe, type StripeCardElement, type StripeClient } from '../stripe';
import { FieldError } from '../ui';

export interface StripeCardHandle {
  readonly stripe: StripeClient;
  readonly card: StripeCardElement;
}

/**
 * Stripe's card Element in the top-up form and on the Cards page: Stripe.js
 * draws the card fields in its own frame, so the number never passes through
 * this app. Ready hands the parent what confirming the payment (or the card
 * setup) needs.
 */
export function StripeCard(props: {
  publishableKey: string;
  error?: string;
  onReady: (handle: StripeCardHandle | null) => void;
}) {
  const { publishableKey, onReady } = props;
  const target = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');

  useEffect(() => {
    let card: StripeCardElement | undefined;
    let cancelled = false;
    loadStripe(publishableKey).then(
      (stripe) => {
        if (cancelled || !target.current) return;
        card = stripe.elements().create('card', { hidePostalCode: true });
        card.mount(target.current);
        setState('ready');
        onReady({ stripe, card });
      },
      () => !cancelled && setState('failed'),
    );
    return () => {
      cancelled = true;
      card?.destroy();
      onReady(null);
    };
  }, [publishableKey, onReady]);

  return (
    <fieldset className="card-form" aria-describedby="card-element-error">
      <legend>Card</legend>
      {state === 'loading' && <p className="hint">Loading the card form…</p>}
      {state === 'failed' && (
        <p className="error" role="alert">
          The card company's form could not be loaded. Check your connection and try again.
        </p>
      )}
      <div ref={target} className="stripe-card" data-testid="stripe-card" />
      <FieldError id="card-element-error" error={props.error} />
    </fieldset>
  );
}
