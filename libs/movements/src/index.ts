/**
 * The movements' write side behind the CommandBus: the handlers of the
 * movement commands declared in `@ledger/ledger`, and what they check a
 * request against (recipients, rates, the caller's cards and payout
 * destinations, the mobile-money rail), with the cards' and payout
 * destinations' own commands and queries, the transfer quote, and the
 * providers' reports (webhooks) recorded on their movements. Routes stay in the apps; they send
 * the commands and shape the answers.
 */
export * from './movement-handlers.module';
export * from './cards/payment-customers';
export * from './cards/cards.handlers';
export * from './payout-destinations/payout-destinations.store';
export * from './payout-destinations/payout-destinations.handlers';
export * from './top-ups/mobile-money-payer';
export * from './top-ups/start-top-up.handler';
export * from './transfers/recipient.resolver';
export * from './transfers/transfer-credit';
export * from './transfers/start-transfer.handler';
export * from './transfers/transfer-quote.query';
export * from './provider-reports/gateway-report.handler';
export * from './provider-reports/mpesa-callback.handler';
export * from './withdrawals/start-withdrawal.handler';
export * from './payments/start-payment.handler';
export * from './payments/start-refund.handler';
