-- Balances as of any point of the log (docs/projections.md, "Point in time").
-- Two more read models, written by the read-models projector in the same
-- transaction as the others and rebuilt with them:
--
-- balance_history: one row per (account, currency, position) at which the
-- account's balance changed (wallets also at their opening), holding the
-- account's running totals after that event. "The balance of A as of P" is
-- the latest row at or before P: one probe of the primary key.
--
-- ledger_totals: one row per (currency, position) of those same events,
-- holding the currency's running totals by account class (wallet, system,
-- transit) and the ledger clock, so that the trial balance as of P costs one
-- probe per currency and a timestamp maps to a position with one probe.
--
-- The clock is the latest recorded time of any of these events up to and
-- including this one in log order. Recorded times need not grow with the log
-- (the SQL store stamps a transaction's start, and orders by its commit), so
-- a running maximum is what keeps "the last event at or before T" a prefix of
-- the log: nothing in an answer as of T was recorded after T.

ALTER FUNCTION create_read_model_tables(text) RENAME TO create_read_model_tables_010;

CREATE FUNCTION create_balance_history_tables(target text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($ddl$
    CREATE TABLE %1$I.balance_history (
      account text NOT NULL,
      currency text NOT NULL,
      commit_pos bigint NOT NULL,
      prepare_pos bigint NOT NULL,
      debits_minor bigint NOT NULL,
      credits_minor bigint NOT NULL,
      held_minor bigint NOT NULL,
      PRIMARY KEY (account, currency, commit_pos, prepare_pos)
    )$ddl$, target);

  EXECUTE format($ddl$
    CREATE TABLE %1$I.ledger_totals (
      currency text NOT NULL,
      commit_pos bigint NOT NULL,
      prepare_pos bigint NOT NULL,
      clock timestamptz NOT NULL,
      wallet_debits_minor bigint NOT NULL,
      wallet_credits_minor bigint NOT NULL,
      system_debits_minor bigint NOT NULL,
      system_credits_minor bigint NOT NULL,
      transit_debits_minor bigint NOT NULL,
      transit_credits_minor bigint NOT NULL,
      PRIMARY KEY (currency, commit_pos, prepare_pos)
    )$ddl$, target);
  EXECUTE format('CREATE INDEX ON %I.ledger_totals (clock, commit_pos, prepare_pos)', target);

  -- The first position the history answers for. A rebuild projects the whole
  -- log, so its history starts at the start of the log; a schema that had
  -- read models before this migration starts at its checkpoint then.
  EXECUTE format($ddl$
    CREATE TABLE %1$I.balance_history_floor (
      one boolean PRIMARY KEY DEFAULT true CHECK (one),
      commit_pos bigint NOT NULL,
      prepare_pos bigint NOT NULL
    )$ddl$, target);
  EXECUTE format('INSERT INTO %I.balance_history_floor (commit_pos, prepare_pos) VALUES (-1, -1)', target);
END;
$$;

CREATE FUNCTION create_read_model_tables(target text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM create_read_model_tables_010(target);
  PERFORM create_balance_history_tables(target);
END;
$$;

SELECT create_balance_history_tables('read_models');

-- The live read models may already hold a projected log. Lock the checkpoint
-- (which excludes a projector's batch) and seed the history with every
-- account's current totals at its last position, so answers from the
-- checkpoint on are right at once; earlier points are refused until the
-- next rebuild, which replaces the floor with the start of the log.
SELECT 1 FROM projection_checkpoints WHERE name = 'read_models' FOR UPDATE;

INSERT INTO read_models.balance_history (account, currency, commit_pos, prepare_pos, debits_minor, credits_minor, held_minor)
SELECT 'wallet:' || wallet_id, currency, last_commit, last_prepare, debits_minor, credits_minor, held_minor
  FROM read_models.wallet_balances
UNION ALL
SELECT account, currency, last_commit, last_prepare, debits_minor, credits_minor, 0
  FROM read_models.account_balances;

INSERT INTO read_models.ledger_totals (currency, commit_pos, prepare_pos, clock, wallet_debits_minor,
  wallet_credits_minor, system_debits_minor, system_credits_minor, transit_debits_minor, transit_credits_minor)
SELECT legs.currency, c.commit_pos, c.prepare_pos, coalesce(c.last_event_at, c.updated_at),
       sum(legs.debits_minor) FILTER (WHERE legs.class = 'wallet'),
       sum(legs.credits_minor) FILTER (WHERE legs.class = 'wallet'),
       coalesce(sum(legs.debits_minor) FILTER (WHERE legs.class = 'system'), 0),
       coalesce(sum(legs.credits_minor) FILTER (WHERE legs.class = 'system'), 0),
       coalesce(sum(legs.debits_minor) FILTER (WHERE legs.class = 'transit'), 0),
       coalesce(sum(legs.credits_minor) FILTER (WHERE legs.class = 'transit'), 0)
  FROM projection_checkpoints c
 CROSS JOIN (SELECT 'wallet' AS class, currency, debits_minor, credits_minor FROM read_models.wallet_balances
             UNION ALL
             SELECT split_part(account, ':', 1), currency, debits_minor, credits_minor
               FROM read_models.account_balances) legs
 WHERE c.name = 'read_models' AND c.commit_pos >= 0
 GROUP BY legs.currency, c.commit_pos, c.prepare_pos, c.last_event_at, c.updated_at
HAVING count(*) FILTER (WHERE legs.class = 'wallet') > 0;

UPDATE read_models.balance_history_floor f
   SET commit_pos = c.commit_pos, prepare_pos = c.prepare_pos
  FROM projection_checkpoints c
 WHERE c.name = 'read_models';
