/** Nest injection token for the `PaymentGateway` port. */
export const PAYMENT_GATEWAY = Symbol('PAYMENT_GATEWAY');
/** The mobile-money rail (M-Pesa): `MpesaGateway`, a sandbox playing it, or null when off. */
export const MOBILE_MONEY_GATEWAY = Symbol('MOBILE_MONEY_GATEWAY');
/** The secret segment of the M-Pesa callback path (`MPESA_CALLBACK_SECRET`), null when the rail is off. */
export const MPESA_CALLBACK_SECRET = Symbol('MPESA_CALLBACK_SECRET');
