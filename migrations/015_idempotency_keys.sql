-- Idempotency-Key records for money-moving requests. A key is kept, not
-- expired within minutes: the same key and body replays the first outcome
-- (failures too); the same key with another body is refused.
CREATE TABLE idempotency_keys (
  scope         text        NOT NULL,
  key           text        NOT NULL,
  request_hash  text        NOT NULL,
  status_code   integer,
  response      jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz,
  PRIMARY KEY (scope, key)
);
