/**
 * Stripe.js, loaded only when the service says the Stripe gateway has a
 * publishable key (GET /top-ups/card-form), and only then allowed by the
 * service's Content-Security-Policy. The few calls the app makes are typed
 * here; the card number never touches this app: it lives in Stripe's frame.
 */
export interface StripeCardElement {
  mount(target: HTMLElement): void;
  destroy(): void;
}

export interface StripeConfirmResult {
  readonly paymentIntent?: { readonly id: string; readonly status: string };
  readonly error?: { readonly message?: string; readonly code?: string };
}

export interface StripeClient {
  elements(): { create(type: 'card', options?: Record<string, unknown>): StripeCardElement };
  confirmCardPayment(
    clientSecret: string,
    data: { payment_method: { card: StripeCardElement } },
  ): Promise<StripeConfirmResult>;
}

type StripeFactory = (publishableKey: string) => StripeClient;

const STRIPE_JS = 'https://js.stripe.com/v3';
let loading: Promise<StripeFactory> | undefined;

function loadScript(): Promise<StripeFactory> {
  const existing = (window as { Stripe?: StripeFactory }).Stripe;
  if (existing) return Promise.resolve(existing);
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = STRIPE_JS;
    script.async = true;
    script.onload = () => {
      const factory = (window as { Stripe?: StripeFactory }).Stripe;
      if (factory) resolve(factory);
      else reject(new Error('Stripe.js loaded without Stripe()'));
    };
    script.onerror = () => reject(new Error('Stripe.js could not be loaded'));
    document.head.appendChild(script);
  });
}

const clients = new Map<string, StripeClient>();

/** One Stripe client per publishable key; a failed load is tried again next time. */
export async function loadStripe(publishableKey: string): Promise<StripeClient> {
  const known = clients.get(publishableKey);
  if (known) return known;
  loading ??= loadScript().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  const client = (await loading)(publishableKey);
  clients.set(publishableKey, client);
  return client;
}
