import { useEffect, useState } from 'react';
import { api } from './api/client';
import type { components } from './api/openapi';

export type Card = components['schemas']['CardView'];

/** The caller's linked cards, as the payment provider lists them. */
export async function loadCards(): Promise<Card[]> {
  const { data, response } = await api.GET('/cards');
  if (!data) throw new Error(`cards: ${response.status}`);
  return data.items;
}

/** How a card is named to a person: brand, last four digits and expiry, never more. */
export function describeCard(card: Card): string {
  const brand = card.brand ? card.brand.charAt(0).toUpperCase() + card.brand.slice(1) : 'Card';
  const digits = card.last4 ? ` ending ${card.last4}` : '';
  const expiry =
    card.expMonth && card.expYear
      ? `, expires ${String(card.expMonth).padStart(2, '0')}/${card.expYear}`
      : '';
  return `${brand}${digits}${expiry}`;
}

/** How a card is typed in: the sandbox's own form, or Stripe's card Element with its publishable key. */
export type CardForm = { provider: 'sandbox' | 'stripe'; publishableKey?: string };

/**
 * The service's card form (GET /top-ups/card-form); null while it is asked.
 * Without an answer the sandbox's form is used, as before the route existed.
 */
export function useCardForm(): CardForm | null {
  const [cardForm, setCardForm] = useState<CardForm | null>(null);
  useEffect(() => {
    let cancelled = false;
    void api.GET('/top-ups/card-form').then(
      ({ data }) => !cancelled && setCardForm(data ?? { provider: 'sandbox' }),
      () => !cancelled && setCardForm({ provider: 'sandbox' }),
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return cardForm;
}
