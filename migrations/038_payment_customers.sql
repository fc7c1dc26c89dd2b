-- The payment provider's customer for each user (docs/payments.md). A user's
-- cards are linked to and charged from this customer only, so the provider
-- itself refuses another user's card. One customer per user and provider;
-- only the provider's id is kept, nothing else about the user.
CREATE TABLE payment_customers (
  provider text NOT NULL CHECK (provider ~ '^[a-z][a-z0-9_]{0,31}$'),
  user_id text NOT NULL,
  customer_ref text NOT NULL CHECK (customer_ref ~ '^cus_[A-Za-z0-9_]{1,100}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, user_id),
  UNIQUE (provider, customer_ref)
);
