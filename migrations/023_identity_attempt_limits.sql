-- Failed-attempt counters with exponential backoff, per account, per IP and
-- per second factor. Keys are keyed hashes: no e-mail or IP is stored here.
CREATE TABLE identity_attempt_limits (
  key text PRIMARY KEY,
  failures integer NOT NULL CHECK (failures > 0),
  last_failure_at timestamptz NOT NULL,
  locked_until timestamptz
);
