-- TOTP second factor. The secret is encrypted; last_used_step is the RFC 6238
-- time step of the last accepted code, so a code is accepted once.
CREATE TABLE identity_two_factor (
  user_id uuid PRIMARY KEY REFERENCES identity_users (id),
  secret_ciphertext text NOT NULL,
  -- NULL while enrolment awaits its first code.
  enabled_at timestamptz,
  last_used_step bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Recovery codes are kept as keyed hashes and spent once.
CREATE TABLE identity_recovery_codes (
  user_id uuid NOT NULL REFERENCES identity_users (id),
  code_hash text NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (user_id, code_hash)
);
