-- Requests per fixed window (sign-ups, refreshes, e-mailed codes) when no
-- Redis is configured, so every API instance counts against the same limit.
-- Keys are keyed hashes: no e-mail or IP is stored here.
CREATE TABLE identity_rate_limits (
  key text PRIMARY KEY,
  window_ends_at timestamptz NOT NULL,
  hits integer NOT NULL CHECK (hits > 0)
);
CREATE INDEX identity_rate_limits_by_window_end ON identity_rate_limits (window_ends_at);
