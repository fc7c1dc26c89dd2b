-- Merchant payments and refunds (docs/payments.md).
--
-- Payments and refunds are movements like transfers; the movement summaries
-- keep a refund's payment so a merchant's payment lists its refunds.
--
-- The live-updates reader (`GET /me/events`, `GET /ledger/events/live`) asks
-- the read models for the rows changed since a log position, so wallet
-- balances and movement summaries get an index on the position of their last
-- change.

ALTER FUNCTION create_read_model_tables(text) RENAME TO create_read_model_tables_050;

CREATE FUNCTION create_payment_columns(target text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %I.movement_summaries ADD COLUMN payment_id text', target);
  EXECUTE format('CREATE INDEX ON %I.movement_summaries (payment_id) WHERE payment_id IS NOT NULL', target);
  EXECUTE format('CREATE INDEX ON %I.movement_summaries (last_commit, last_prepare)', target);
  EXECUTE format('CREATE INDEX ON %I.wallet_balances (last_commit, last_prepare)', target);
END;
$$;

CREATE FUNCTION create_read_model_tables(target text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM create_read_model_tables_050(target);
  PERFORM create_payment_columns(target);
END;
$$;

SELECT create_payment_columns('read_models');
