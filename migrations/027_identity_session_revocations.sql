-- A password reset ends every session of the account; a password change ends
-- every session but the one that changed it.
ALTER TABLE identity_sessions DROP CONSTRAINT identity_sessions_revoked_reason_check;
ALTER TABLE identity_sessions ADD CONSTRAINT identity_sessions_revoked_reason_check
  CHECK (revoked_reason IN ('logout', 'refresh_token_reused', 'credentials_reset', 'password_reset', 'password_changed'));
