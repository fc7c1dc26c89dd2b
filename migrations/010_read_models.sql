-- Read models (docs/projections.md). They are derived data: every row can be
-- rebuilt from the event log, so they live in their own schema and a rebuild
-- builds a fresh copy beside them (schema `rm_rebuild`) and swaps it in by
-- renaming schemas. Amounts are bigint minor units: MAX_AMOUNT_MINOR (10^15)
-- per entry keeps turnover sums far inside int8, and an overflow would stop
-- the projector with an error rather than wrap.

-- One row per projector (and per rebuild in progress). The projector moves
-- its row with a compare-and-set in the transaction that writes its rows.
CREATE TABLE projection_checkpoints (
  name text PRIMARY KEY,
  commit_pos bigint NOT NULL,
  prepare_pos bigint NOT NULL,
  -- created_at of the last applied event, for lag in seconds.
  last_event_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The one definition of the read-model tables, used by this migration for the
-- live schema and by the rebuild for its side schema. A later migration that
-- changes a read model replaces this function, then the runbook's rebuild
-- builds the new shape from the log and swaps it in.
CREATE FUNCTION create_read_model_tables(target text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE SCHEMA %I', target);

  -- Wallets are credit-normal: posted = credits - debits, available = posted - held.
  -- `revision` is the stream revision of the last applied event and guards
  -- every update against redelivery.
  EXECUTE format($ddl$
    CREATE TABLE %1$I.wallet_balances (
      wallet_id uuid PRIMARY KEY,
      owner_id text NOT NULL,
      currency text NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'frozen', 'closed')),
      credits_minor bigint NOT NULL,
      debits_minor bigint NOT NULL,
      held_minor bigint NOT NULL,
      posted_minor bigint GENERATED ALWAYS AS (credits_minor - debits_minor) STORED,
      available_minor bigint GENERATED ALWAYS AS (credits_minor - debits_minor - held_minor) STORED,
      revision bigint NOT NULL,
      opened_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      last_commit bigint NOT NULL,
      last_prepare bigint NOT NULL
    )$ddl$, target);
  EXECUTE format('CREATE INDEX ON %I.wallet_balances (owner_id, wallet_id)', target);

  -- One row per wallet event. (wallet_id, revision) is the keyset for paging;
  -- event_id makes a redelivered event a no-op. Wallet ids are UUIDs (derived
  -- from the opening command): as uuid rather than text the two unique
  -- indexes cost half as much to maintain, which bounds catch-up speed.
  EXECUTE format($ddl$
    CREATE TABLE %1$I.wallet_history (
      wallet_id uuid NOT NULL,
      revision bigint NOT NULL,
      event_id uuid NOT NULL UNIQUE,
      type text NOT NULL,
      direction text CHECK (direction IN ('credit', 'debit', 'hold', 'release')),
      amount_minor bigint,
      currency text,
      contra text,
      kind text,
      reference text,
      movement_id text,
      description text,
      occurred_at timestamptz NOT NULL,
      commit_pos bigint NOT NULL,
      prepare_pos bigint NOT NULL,
      PRIMARY KEY (wallet_id, revision)
    )$ddl$, target);

  -- System and transit accounts: the contra legs of wallet entries. They have
  -- no stream, so the position of the last applied event guards redelivery.
  EXECUTE format($ddl$
    CREATE TABLE %1$I.account_balances (
      account text NOT NULL,
      currency text NOT NULL,
      debits_minor bigint NOT NULL,
      credits_minor bigint NOT NULL,
      updated_at timestamptz NOT NULL,
      last_commit bigint NOT NULL,
      last_prepare bigint NOT NULL,
      PRIMARY KEY (account, currency)
    )$ddl$, target);
END;
$$;

SELECT create_read_model_tables('read_models');
