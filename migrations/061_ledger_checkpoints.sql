-- Signed checkpoints of the log (docs/audit.md, "Checkpoints").
--
-- ledger_stream_heads: every stream's last revision and chain hash as of the
-- newest checkpoint, kept by the checkpointer as it follows the log, so that
-- each checkpoint reads the heads once instead of the whole log.
--
-- ledger_checkpoints: the published series. Each row is the signed body as
-- served and written to $LEDGER_DATA_DIR/checkpoints.ndjson; the sequence is
-- the primary key, so two checkpointers racing for the same number cannot both
-- commit.

CREATE TABLE ledger_stream_heads (
  stream_id text PRIMARY KEY,
  revision bigint NOT NULL CHECK (revision >= 0),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);

CREATE TABLE ledger_checkpoints (
  sequence bigint PRIMARY KEY CHECK (sequence >= 1),
  position text NOT NULL,
  checkpoint jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Checkpoints are evidence: like events, they are never changed or deleted.
CREATE TRIGGER ledger_checkpoints_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION es_refuse_change();
