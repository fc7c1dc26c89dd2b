-- Sagas the saga driver could not advance (docs/sagas.md). The driver records
-- one here in the same transaction that moves its checkpoint past the saga's
-- events, so one failing saga never holds back the others, and retries it
-- with a growing backoff until it advances; then the row is deleted.
-- last_error keeps the error's name and message, emails and long numbers masked.
CREATE TABLE saga_parking (
  driver text NOT NULL,
  stream text NOT NULL,
  attempts integer NOT NULL CHECK (attempts > 0),
  next_attempt_at timestamptz NOT NULL,
  last_error text NOT NULL,
  parked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (driver, stream)
);

CREATE INDEX saga_parking_due ON saga_parking (driver, next_attempt_at);
