/**
 * The name and one-line summary of every operation, keyed by method and
 * path as the OpenAPI document spells them. Generated clients call
 * operations by these ids (`listWallets`, `startTransfer`), so an id, once
 * published, does not change. A route missing here fails the document check
 * (`npm run openapi:check`) and the OpenAPI spec.
 */
export interface OperationSpec {
  readonly operationId: string;
  readonly summary: string;
  /** Served without an access token: its security is `[]`. */
  readonly public?: true;
}

export const TAGS: Readonly<Record<string, string>> = {
  auth: 'Sign-up, log-in with password, second factor or Google, refresh and log-out',
  me: "The caller's profile, e-mail verification, password and two-factor authentication",
  wallets: 'Wallets: open, read (now or as of a past point), adjust, freeze, close',
  transfers: 'Money between wallets, completed within the request where it can be',
  payments: 'Payments to merchants by order reference, and their refunds',
  live: 'Live updates over Server-Sent Events: balances and movement status as they change',
  'top-ups': 'Money into a wallet from a card, through the payment provider',
  withdrawals: 'Money out of a wallet to a payout destination',
  'payout-destinations': 'Bank accounts and other destinations a withdrawal can pay to',
  cards: 'Cards linked with the payment provider for top-ups',
  movements: 'The progress of a transfer, top-up or withdrawal, and wallet statistics',
  ledger: 'Finance and audit views of the books: trial balance, accounts, the event log, checks',
  finance:
    'Reconciliation with the payment providers, breaks, month close and adjustments under four eyes',
  admin: 'Staff roles, the security audit trail and dead-letter jobs',
  health: 'Liveness and readiness probes for orchestrators',
  problems: 'What each problem type (an error answer) means',
};

export const OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  'POST /auth/signup': { operationId: 'signUp', summary: 'Create an account', public: true },
  'POST /auth/login': {
    operationId: 'logIn',
    summary: 'Log in with e-mail and password',
    public: true,
  },
  'POST /auth/login/2fa': {
    operationId: 'logInSecondFactor',
    summary: 'Complete a log-in with a two-factor code',
    public: true,
  },
  'POST /auth/refresh': {
    operationId: 'refreshSession',
    summary: 'Exchange a refresh token for new tokens',
    public: true,
  },
  'POST /auth/password-reset': {
    operationId: 'requestPasswordReset',
    summary: 'Send a password reset code',
    public: true,
  },
  'POST /auth/password-reset/confirm': {
    operationId: 'confirmPasswordReset',
    summary: 'Set a new password with a reset code',
    public: true,
  },
  'POST /auth/logout': { operationId: 'logOut', summary: 'End the current session' },
  'GET /auth/google': {
    operationId: 'startGoogleSignIn',
    summary: 'Redirect to Google sign-in',
    public: true,
  },
  'GET /auth/google/callback': {
    operationId: 'completeGoogleSignIn',
    summary: 'Complete Google sign-in',
    public: true,
  },
  'GET /me': { operationId: 'getMe', summary: "Read the caller's profile" },
  'PATCH /me': { operationId: 'updateMe', summary: "Change the caller's name or phone" },
  'POST /me/email/verification': {
    operationId: 'sendEmailVerification',
    summary: 'Send an e-mail verification code',
  },
  'POST /me/email/verify': { operationId: 'verifyEmail', summary: 'Verify the e-mail address' },
  'POST /me/password': { operationId: 'changePassword', summary: 'Change the password' },
  'POST /me/2fa/enrol': {
    operationId: 'enrolTwoFactor',
    summary: 'Start two-factor enrolment',
  },
  'POST /me/2fa/confirm': {
    operationId: 'confirmTwoFactor',
    summary: 'Turn two-factor authentication on with a first code',
  },
  'POST /me/2fa/disable': {
    operationId: 'disableTwoFactor',
    summary: 'Turn two-factor authentication off',
  },
  'GET /admin/users': {
    operationId: 'findUserByEmail',
    summary: "A user's id and roles by e-mail (admins; audited)",
  },
  'PUT /admin/users/{id}/roles': { operationId: 'setUserRoles', summary: "Set a user's roles" },
  'GET /admin/jobs/dead-letters': {
    operationId: 'listDeadLetters',
    summary: 'List the jobs that failed for good, newest first',
  },
  'GET /admin/jobs/dead-letters/{id}': {
    operationId: 'getDeadLetter',
    summary: 'Inspect a dead-letter job',
  },
  'POST /admin/jobs/dead-letters/{id}/retry': {
    operationId: 'retryDeadLetter',
    summary: 'Put a dead-letter job back in its queue (audited)',
  },
  'GET /audit/security-events': {
    operationId: 'listSecurityEvents',
    summary: 'List security audit events',
  },
  'POST /wallets': { operationId: 'openWallet', summary: 'Open a wallet' },
  'GET /wallets': { operationId: 'listWallets', summary: 'List wallets' },
  'GET /wallets/{id}': { operationId: 'getWallet', summary: 'Read a wallet, now or as of a point' },
  'GET /wallets/{id}/history': {
    operationId: 'listWalletHistory',
    summary: "List a wallet's entries",
  },
  'POST /wallets/{id}/adjustments': {
    operationId: 'adjustWallet',
    summary: 'Post a reasoned adjustment or reversal',
  },
  'POST /wallets/{id}/freeze': { operationId: 'freezeWallet', summary: 'Freeze a wallet' },
  'POST /wallets/{id}/unfreeze': { operationId: 'unfreezeWallet', summary: 'Unfreeze a wallet' },
  'POST /wallets/{id}/close': { operationId: 'closeWallet', summary: 'Close an empty wallet' },
  'POST /transfers': { operationId: 'startTransfer', summary: 'Transfer money to a recipient' },
  'POST /transfers/quote': {
    operationId: 'quoteTransfer',
    summary: 'What a transfer would credit the recipient, at which rate',
  },
  'GET /me/events': {
    operationId: 'followMyEvents',
    summary: "Follow the caller's balance and movement changes (Server-Sent Events)",
  },
  'GET /ledger/events/live': {
    operationId: 'followLedgerEvents',
    summary:
      'Follow every balance and movement change with the projection lag (Server-Sent Events)',
  },
  'POST /payments': { operationId: 'payMerchant', summary: 'Pay a merchant for an order' },
  'GET /payments': {
    operationId: 'listMerchantPayments',
    summary: 'List the payments the calling merchant received, with their refunds',
  },
  'POST /payments/{id}/refunds': {
    operationId: 'refundPayment',
    summary: 'Refund a received payment in full or in part',
  },
  'POST /top-ups': { operationId: 'startTopUp', summary: 'Top up a wallet from a card' },
  'GET /top-ups/card-form': {
    operationId: 'getCardForm',
    summary: 'Which card form to show for a top-up: the sandbox or Stripe Elements',
  },
  'POST /withdrawals': {
    operationId: 'startWithdrawal',
    summary: 'Withdraw money to a payout destination',
  },
  'GET /payout-destinations': {
    operationId: 'listPayoutDestinations',
    summary: 'List payout destinations',
  },
  'POST /payout-destinations': {
    operationId: 'addPayoutDestination',
    summary: 'Add a payout destination',
  },
  'DELETE /payout-destinations/{id}': {
    operationId: 'removePayoutDestination',
    summary: 'Remove a payout destination',
  },
  'POST /cards/setup-intents': {
    operationId: 'startCardSetup',
    summary: 'Start linking a card with the payment provider',
  },
  'GET /cards': { operationId: 'listCards', summary: 'List linked cards' },
  'DELETE /cards/{id}': { operationId: 'removeCard', summary: 'Unlink a card' },
  'GET /currencies': {
    operationId: 'listCurrencies',
    summary: 'List the supported ISO 4217 currencies with their minor-unit exponents',
    public: true,
  },
  'GET /movements': {
    operationId: 'listMovements',
    summary: "List the caller's movements across their wallets, newest first",
  },
  'GET /movements/{id}': { operationId: 'getMovement', summary: 'Read a movement with its steps' },
  'GET /wallets/{id}/statement': {
    operationId: 'getStatement',
    summary: "Read a wallet's statement: one row per movement, as JSON pages or a month's CSV",
  },
  'GET /ledger/checkpoints': {
    operationId: 'listCheckpoints',
    summary: 'List the signed checkpoints of the stream heads',
  },
  'GET /ledger/checkpoints/public-key': {
    operationId: 'getCheckpointPublicKey',
    summary: 'Read the Ed25519 public key that checkpoints are signed with',
    public: true,
  },
  'POST /auth/session/refresh': {
    operationId: 'refreshSessionCookie',
    summary: 'Rotate a browser session whose refresh token is in the session cookie',
    public: true,
  },
  'GET /movements/wallets/{walletId}/statistics': {
    operationId: 'getWalletStatistics',
    summary: "Read a wallet's monthly statistics",
  },
  'GET /ledger/trial-balance': {
    operationId: 'getTrialBalance',
    summary: 'Read the trial balance, now or as of a point',
  },
  'GET /ledger/accounts': { operationId: 'listLedgerAccounts', summary: 'List ledger accounts' },
  'GET /ledger/projections': {
    operationId: 'listProjections',
    summary: 'Read how far each read model has applied the log',
  },
  'GET /ledger/events': { operationId: 'listLedgerEvents', summary: 'Page through the event log' },
  'GET /ledger/movements/stuck': {
    operationId: 'listStuckMovements',
    summary: 'List movements that need an operator: parked sagas and long-pending ones',
  },
  'GET /ledger/verify': {
    operationId: 'verifyLedger',
    summary: 'Check the books balance and the read models agree with the log',
  },
  'GET /finance/reconciliation': {
    operationId: 'getReconciliation',
    summary: 'Reconcile a period: ledger, read models and provider report (JSON or CSV)',
  },
  'POST /finance/reconciliation': {
    operationId: 'recordReconciliation',
    summary: 'Reconcile a period and record the breaks found',
  },
  'GET /finance/breaks': { operationId: 'listBreaks', summary: 'List reconciliation breaks' },
  'POST /finance/breaks/{id}/explain': {
    operationId: 'explainBreak',
    summary: 'Explain an open break',
  },
  'POST /finance/breaks/{id}/resolve': {
    operationId: 'resolveBreak',
    summary: 'Resolve a break with an adjustment that references it',
  },
  'GET /finance/adjustments': {
    operationId: 'listFinanceAdjustments',
    summary: 'List adjustments and reversals, those awaiting approval among them',
  },
  'POST /finance/adjustments/{id}/approve': {
    operationId: 'approveAdjustment',
    summary: "Approve another finance user's adjustment, posting it",
  },
  'POST /finance/adjustments/{id}/reject': {
    operationId: 'rejectAdjustment',
    summary: 'Reject an adjustment awaiting approval',
  },
  'GET /finance/periods': { operationId: 'listClosedPeriods', summary: 'List closed months' },
  'GET /finance/periods/{period}': {
    operationId: 'getClosedPeriod',
    summary: "Read a closed month's signed seal",
  },
  'POST /finance/periods/{period}/close': {
    operationId: 'closePeriod',
    summary: 'Close a month, sealing its closing trial balance',
  },
  'GET /health/live': { operationId: 'checkLiveness', summary: 'Liveness probe', public: true },
  'GET /health/ready': { operationId: 'checkReadiness', summary: 'Readiness probe', public: true },
  'GET /health': {
    operationId: 'checkHealth',
    summary: 'Readiness probe in the original body (deprecated)',
    public: true,
  },
  'GET /problems/{code}': {
    operationId: 'getProblemType',
    summary: 'Describe a problem type',
    public: true,
  },
};
