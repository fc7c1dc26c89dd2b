-- Durable saga timers (docs/sagas.md). The deadline of a saga waiting on one
-- (a top-up's payment, a withdrawal's payout) is written here by the saga
-- driver in the same transaction that moves its checkpoint past the event
-- that started the wait, and deleted once the saga no longer waits. The
-- driver fires the due ones as saga inputs, so a timer fires even when the
-- job queue lost its delayed job; the delayed job is only the fast path.
CREATE TABLE saga_timers (
  stream text NOT NULL,
  -- The timer job's name (`topup.timeout`, `withdrawal.timeout`) and its job id.
  name text NOT NULL,
  job_id text NOT NULL,
  due_at timestamptz NOT NULL,
  -- Set once the timer's input is recorded, so it is not recorded again
  -- before the driver has seen the saga move on and deleted the row.
  fired_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream, name)
);

CREATE INDEX saga_timers_due ON saga_timers (due_at) WHERE fired_at IS NULL;
