-- The queryable copy of the security audit trail whose record of truth is the
-- identity-<userId> streams in the event store. Rows hold no personal data.
CREATE TABLE identity_security_events (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  user_id uuid,
  type text NOT NULL,
  data jsonb NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX identity_security_events_by_user ON identity_security_events (user_id, seq);
