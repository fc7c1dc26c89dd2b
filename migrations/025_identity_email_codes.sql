-- Codes sent by e-mail to prove a person reads the address: one live code per
-- user and purpose, replaced by the next one sent. Only a keyed hash of the
-- code is kept. A code is spent once, expires at expires_at and dies after
-- a few wrong tries (attempts), whichever comes first.
CREATE TABLE identity_email_codes (
  user_id uuid NOT NULL REFERENCES identity_users (id),
  purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
  code_hash text NOT NULL,
  expires_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, purpose)
);
