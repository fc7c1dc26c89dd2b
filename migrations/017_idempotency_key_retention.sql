-- Keys are kept for IDEMPOTENCY_RETENTION_DAYS after they were first used,
-- then purged by the worker in batches, oldest first.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
