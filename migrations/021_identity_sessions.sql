-- A session is one login and the family of refresh tokens rotated from it.
-- It ends at expires_at, set at login; rotation does not extend it.
CREATE TABLE identity_sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES identity_users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('logout', 'refresh_token_reused', 'credentials_reset')),
  CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX identity_sessions_live_by_user ON identity_sessions (user_id) WHERE revoked_at IS NULL;

-- Only a SHA-256 of each refresh token is kept: the token is 256 random bits,
-- so a fast hash is enough and a stolen table cannot mint sessions.
CREATE TABLE identity_refresh_tokens (
  id uuid PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES identity_sessions (id),
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Set when rotated; presenting a used token again revokes the session.
  used_at timestamptz
);
CREATE INDEX identity_refresh_tokens_by_session ON identity_refresh_tokens (session_id);
