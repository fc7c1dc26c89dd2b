-- Jobs of the in-process job queue (embedded mode; production uses BullMQ on
-- Redis). A row is the job's whole life: waiting (possibly until run_at, which
-- is how sagas schedule durable timeouts), active under a lease, completed, or
-- failed (the dead letters). Rows are kept after completion so that the same
-- job id enqueued again is recognised and not run twice.
CREATE TABLE jobs (
  queue           text        NOT NULL,
  id              text        NOT NULL,
  name            text        NOT NULL,
  payload         jsonb       NOT NULL,
  state           text        NOT NULL CHECK (state IN ('waiting', 'active', 'completed', 'failed')),
  attempts_made   integer     NOT NULL DEFAULT 0 CHECK (attempts_made >= 0),
  max_attempts    integer     NOT NULL CHECK (max_attempts BETWEEN 1 AND 25),
  backoff_base_ms integer     NOT NULL CHECK (backoff_base_ms > 0),
  run_at          timestamptz NOT NULL,
  -- Set while active: past it, the worker is presumed dead and the job is run again.
  lease_until     timestamptz,
  last_error      text,
  -- Breaks ties in run_at so that jobs due together run in the order they were enqueued.
  seq             bigserial   NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  PRIMARY KEY (queue, id)
);

CREATE INDEX jobs_due ON jobs (queue, run_at, seq) WHERE state IN ('waiting', 'active');
CREATE INDEX jobs_dead_letters ON jobs (queue, finished_at DESC) WHERE state = 'failed';
