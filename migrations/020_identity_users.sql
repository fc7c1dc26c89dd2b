-- People who use the service. Personal data is stored encrypted (AES-256-GCM,
-- bound to the row) and found through keyed HMAC hashes, so a copy of this
-- table alone reveals neither e-mails, names nor phone numbers.
CREATE TABLE identity_users (
  id uuid PRIMARY KEY,
  email_hash text NOT NULL UNIQUE,
  email_ciphertext text NOT NULL,
  -- Set when a provider we trust (Google) has vouched for the address.
  email_verified_at timestamptz,
  -- argon2id PHC string; NULL for people who only sign in with Google.
  password_hash text,
  google_subject text UNIQUE,
  name_ciphertext text,
  phone_hash text UNIQUE,
  phone_ciphertext text,
  default_currency text NOT NULL CHECK (default_currency ~ '^[A-Z]{3}$'),
  -- NULL until the sign-up wallet is confirmed open; login retries it.
  wallet_opened_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((phone_hash IS NULL) = (phone_ciphertext IS NULL))
);

CREATE TABLE identity_user_roles (
  user_id uuid NOT NULL REFERENCES identity_users (id),
  role text NOT NULL CHECK (role IN ('customer', 'finance', 'auditor', 'admin')),
  PRIMARY KEY (user_id, role)
);
