/** Nest injection token for the `PaymentGateway` port. */
export const PAYMENT_GATEWAY = Symbol('PAYMENT_GATEWAY');
