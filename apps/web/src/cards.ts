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
