import { setting, type Env } from '@ledger/config';

/**
 * Which card form a browser shows for a top-up: the sandbox's own (the
 * embedded default, which settles by itself), Stripe Elements (the Stripe
 * gateway with a publishable key), or none (Stripe without one: the card
 * company's own confirmation is needed and the app cannot show it).
 */
export type CardForm =
  | { readonly provider: 'sandbox' }
  | { readonly provider: 'stripe'; readonly publishableKey?: string };

export const CARD_FORM = Symbol('CARD_FORM');

export function readCardForm(env: Env): CardForm {
  if (setting(env, 'PAYMENT_GATEWAY') !== 'stripe') return { provider: 'sandbox' };
  const publishableKey = setting(env, 'STRIPE_PUBLISHABLE_KEY');
  return publishableKey ? { provider: 'stripe', publishableKey } : { provider: 'stripe' };
}

/** Stripe.js is allowed by the Content-Security-Policy only when the app is to load it. */
export function loadsStripeJs(form: CardForm): boolean {
  return form.provider === 'stripe' && form.publishableKey !== undefined;
}

/**
 * What Stripe.js needs on top of helmet's defaults: its script and frames
 * (js.stripe.com, hooks.stripe.com for 3-D Secure) and its calls
 * (api.stripe.com). Nothing else is loosened.
 */
export const STRIPE_JS_CSP: Readonly<Record<string, readonly string[]>> = {
  scriptSrc: ["'self'", 'https://js.stripe.com'],
  frameSrc: ["'self'", 'https://js.stripe.com', 'https://hooks.stripe.com'],
  connectSrc: ["'self'", 'https://api.stripe.com'],
};
