-- A claimed Idempotency-Key carries a lease: the request that claimed it
-- holds it until `locked_until`, and only the holder of `claim_token` may
-- record the outcome. A key whose holder died (no outcome, lease passed) is
-- taken over by the next request with the same body, which re-runs it; the
-- command ids derive from the key, so the re-run reproduces what exists.
-- Keys claimed before leases existed get an expired lease, so a key left
-- without an outcome by a crash recovers at once.
ALTER TABLE idempotency_keys ADD COLUMN locked_until timestamptz NOT NULL DEFAULT now();
ALTER TABLE idempotency_keys ADD COLUMN claim_token text;
