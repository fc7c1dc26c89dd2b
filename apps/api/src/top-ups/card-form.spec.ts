import { loadsStripeJs, readCardForm } from './card-form';

describe('the card form a top-up shows', () => {
  it("is the sandbox's on the embedded default, and Stripe.js stays out of the policy", () => {
    const form = readCardForm({});
    expect(form).toEqual({ provider: 'sandbox' });
    expect(loadsStripeJs(form)).toBe(false);
  });

  it('is Stripe Elements with the Stripe gateway and a publishable key only', () => {
    const stripe = { PAYMENT_GATEWAY: 'stripe' };
    expect(readCardForm(stripe)).toEqual({ provider: 'stripe' });
    expect(loadsStripeJs(readCardForm(stripe))).toBe(false);
    const elements = readCardForm({ ...stripe, STRIPE_PUBLISHABLE_KEY: 'pk_test_1' });
    expect(elements).toEqual({ provider: 'stripe', publishableKey: 'pk_test_1' });
    expect(loadsStripeJs(elements)).toBe(true);
    // A key without the Stripe gateway loads nothing.
    expect(readCardForm({ STRIPE_PUBLISHABLE_KEY: 'pk_test_1' })).toEqual({ provider: 'sandbox' });
  });

  it('refuses a secret key where the publishable one goes', () => {
    expect(() =>
      readCardForm({ PAYMENT_GATEWAY: 'stripe', STRIPE_PUBLISHABLE_KEY: 'sk_live_1' }),
    ).toThrow(/publishable/);
  });
});
