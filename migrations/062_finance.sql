-- Finance: reconciliation breaks, period closes and adjustments under four
-- eyes (docs/audit.md, "Finance: a month's reconciliation and close").

-- A difference between the ledger, its read models and the provider's report,
-- found by a reconciliation run. The id derives from what is wrong with which
-- object, so a later run that finds the same difference updates the same row
-- and an explained or resolved break keeps its status.
CREATE TABLE reconciliation_breaks (
  id text PRIMARY KEY,
  kind text NOT NULL,
  provider text NOT NULL,
  object_id text NOT NULL,
  currency text,
  ledger_amount_minor bigint,
  provider_amount_minor bigint,
  detail text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'explained', 'resolved')),
  note text,
  resolved_by_adjustment text,
  changed_by text,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX reconciliation_breaks_status ON reconciliation_breaks (status, first_seen_at);

-- A closed month: its closing trial balance, hashed and signed with the
-- checkpoint key. Like checkpoints, a seal is evidence and never changes.
CREATE TABLE period_closes (
  period text PRIMARY KEY CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  seal jsonb NOT NULL,
  closed_by text NOT NULL,
  reason text NOT NULL,
  closed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER period_closes_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON period_closes
  FOR EACH STATEMENT EXECUTE FUNCTION es_refuse_change();

-- Every adjustment and reversal finance asks for. Above the approval
-- threshold it waits here for a second finance user; the request's id is the
-- command id the posting uses, so approving twice cannot post twice.
CREATE TABLE finance_adjustments (
  id uuid PRIMARY KEY,
  wallet_id uuid NOT NULL,
  direction text NOT NULL CHECK (direction IN ('credit', 'debit')),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL,
  account text NOT NULL,
  reason text NOT NULL,
  reverses text,
  corrects text,
  break_id text,
  effective_at timestamptz NOT NULL,
  requested_by text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending_approval', 'posted', 'rejected', 'refused')),
  decided_by text,
  decision_reason text,
  entry_id uuid,
  rejection text,
  requested_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz
);

CREATE INDEX finance_adjustments_status ON finance_adjustments (status, requested_at);
CREATE INDEX finance_adjustments_requested ON finance_adjustments (requested_at, id);
CREATE INDEX finance_adjustments_reverses ON finance_adjustments (reverses) WHERE reverses IS NOT NULL;
