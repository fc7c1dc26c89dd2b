-- Movements as a wallet user sees them (docs/projections.md, "Movements and
-- statements"). Two more read models, written by the read-models projector in
-- the same transaction as the others and rebuilt with them:
--
-- movement_summaries: one row per movement (a transfer, top-up or withdrawal
-- saga stream, or an adjustment entry): kind, status and reason, amounts and
-- currencies, the recorded FX rate, the description, created and completed
-- times, and the position of its first event (the order lists show).
--
-- movement_legs: one row per wallet a movement touches: its owner, direction
-- and amount, the counterparty's owner (resolved to a display name only when
-- answered, never shown as an id), the amount it holds while pending, and the
-- position of the event that posted its money. The balance after a leg is the
-- balance history's row at that position, so it is never stored twice.
--
-- Both carry the position of the last event applied to them; a redelivered
-- batch finds its rows already past it and changes nothing.
--
-- Read models projected before this migration hold no movements: run
-- `npm run projections:rebuild` once after migrating to fill them from the log.

ALTER FUNCTION create_read_model_tables(text) RENAME TO create_read_model_tables_011;

CREATE FUNCTION create_movement_tables(target text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($ddl$
    CREATE TABLE %1$I.movement_summaries (
      movement_id text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('transfer', 'top_up', 'withdrawal', 'payment', 'refund', 'adjustment')),
      status text NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
      reason text,
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      currency text NOT NULL,
      credit_amount_minor bigint,
      credit_currency text,
      fx_rate text,
      fx_source text,
      description text,
      reference text,
      created_at timestamptz NOT NULL,
      completed_at timestamptz,
      created_commit bigint NOT NULL,
      created_prepare bigint NOT NULL,
      last_commit bigint NOT NULL,
      last_prepare bigint NOT NULL
    )$ddl$, target);

  EXECUTE format($ddl$
    CREATE TABLE %1$I.movement_legs (
      movement_id text NOT NULL,
      wallet_id uuid NOT NULL,
      owner_id text NOT NULL,
      direction text NOT NULL CHECK (direction IN ('in', 'out')),
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      currency text NOT NULL,
      counterparty_owner_id text,
      held_minor bigint NOT NULL DEFAULT 0 CHECK (held_minor >= 0),
      posted_commit bigint,
      posted_prepare bigint,
      posted_at timestamptz,
      created_at timestamptz NOT NULL,
      created_commit bigint NOT NULL,
      created_prepare bigint NOT NULL,
      last_commit bigint NOT NULL,
      last_prepare bigint NOT NULL,
      PRIMARY KEY (movement_id, wallet_id)
    )$ddl$, target);
  EXECUTE format('CREATE INDEX ON %I.movement_legs (wallet_id, created_commit DESC, created_prepare DESC)', target);
  EXECUTE format('CREATE INDEX ON %I.movement_legs (owner_id, created_commit DESC, created_prepare DESC)', target);
END;
$$;

CREATE FUNCTION create_read_model_tables(target text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM create_read_model_tables_011(target);
  PERFORM create_movement_tables(target);
END;
$$;

SELECT create_movement_tables('read_models');
