-- Bank accounts a user may withdraw to (docs/sagas.md). Only the payment
-- provider's ids are kept, never account numbers. A removed destination keeps
-- its row (removed_at), because withdrawals recorded before name it.
CREATE TABLE payout_destinations (
  destination_id uuid PRIMARY KEY,
  user_id text NOT NULL,
  type text NOT NULL CHECK (type IN ('bank_account', 'connected_account')),
  provider_ref text NOT NULL CHECK (provider_ref ~ '^(ba|acct)_[A-Za-z0-9_]{1,100}$'),
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
  created_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz
);

-- One live link per provider object and user.
CREATE UNIQUE INDEX payout_destinations_live ON payout_destinations (user_id, provider_ref) WHERE removed_at IS NULL;
