-- Money movements (docs/sagas.md). The saga streams in the event log are the
-- record; these tables only serve the saga driver and queries.

-- Where the saga driver is in the global log. It moves with a compare-and-set
-- in the same transaction as the movement rows it writes.
CREATE TABLE saga_checkpoints (
  name text PRIMARY KEY,
  commit_pos bigint NOT NULL,
  prepare_pos bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per movement (saga stream), as of the saga event at `revision`.
-- The driver lists unfinished movements from here when it resumes, and the
-- API answers "who may see this" and "what state is it in" from it.
CREATE TABLE movements (
  movement_id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('transfer', 'topup', 'withdrawal')),
  status text NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
  phase text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL,
  wallet_ids text[] NOT NULL,
  party_ids text[] NOT NULL,
  failure_reason text,
  revision bigint NOT NULL,
  requested_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX movements_pending ON movements (requested_at) WHERE status = 'pending';
CREATE INDEX movements_wallets ON movements USING gin (wallet_ids);
