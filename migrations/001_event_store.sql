-- The event store (docs/architecture.md). `events` is the log and is
-- append-only; `streams` holds each stream's current revision. Every append,
-- single or batched, goes through es_append_batch, which serialises writers
-- per stream with an advisory lock. Both the pg and the PGlite adapters run
-- this SQL, so it sticks to what Postgres 15 and later both have.

CREATE TABLE streams (
  stream_id text PRIMARY KEY CHECK (stream_id <> ''),
  -- The revision of the stream's last event: a stream has a row from its
  -- first event on.
  revision bigint NOT NULL CHECK (revision >= 0)
);

CREATE TABLE events (
  seq bigserial PRIMARY KEY,
  -- The writing transaction. The global order is (tx_id, seq), read only below
  -- the oldest running transaction: seq alone would skip events that commit
  -- out of order (see SqlEventStore.readAll, and es_append_batch for why this
  -- order agrees with each stream's revision order).
  tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id uuid NOT NULL,
  stream_id text NOT NULL REFERENCES streams (stream_id),
  revision bigint NOT NULL CHECK (revision >= 0),
  type text NOT NULL CHECK (type <> ''),
  data jsonb NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_event_id_key UNIQUE (event_id),
  CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
);

-- readAll and headPosition walk the log by exactly this key.
CREATE INDEX events_global_order ON events (tx_id, seq);

CREATE FUNCTION es_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'event store: % on % is refused; events are never changed or deleted, append a correcting event instead',
    TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;

-- Statement-level, so that even an UPDATE or DELETE that matches no row is refused.
CREATE TRIGGER events_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION es_refuse_change();

CREATE TRIGGER streams_never_deleted
  BEFORE DELETE OR TRUNCATE ON streams
  FOR EACH STATEMENT EXECUTE FUNCTION es_refuse_change();

-- Has this stream already got exactly these events, at consecutive revisions
-- and in this order? NULL when none of the ids is known (a new append); an
-- "ok" outcome carrying the first append's result when all are (a retry); an
-- "overlap" outcome otherwise. Runs after the stream is locked, so its
-- snapshot includes every append that committed before the lock was granted.
CREATE FUNCTION es_find_written(sid text, ids uuid[]) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN count(*) = 0 THEN NULL
    WHEN bool_or(stream_id <> sid) THEN jsonb_build_object('status', 'overlap',
      'detail', 'event ids already written to another stream')
    WHEN count(*) < cardinality(ids) THEN jsonb_build_object('status', 'overlap',
      'detail', 'some of the event ids were written before, not all')
    WHEN count(DISTINCT revision - ord) > 1 THEN jsonb_build_object('status', 'overlap',
      'detail', 'the event ids were written before in another order')
    ELSE jsonb_build_object('status', 'ok',
      'revision', max(revision)::text,
      'commit', (array_agg(tx_id ORDER BY ord DESC))[1]::text,
      'prepare', (array_agg(seq ORDER BY ord DESC))[1]::text)
  END
  -- = ANY keeps this an index lookup whatever the planner guesses about the ids.
  FROM (
    SELECT array_position(ids, ev.event_id) AS ord, ev.stream_id, ev.revision, ev.tx_id, ev.seq
    FROM events ev WHERE ev.event_id = ANY (ids)
  ) found
$$;

-- Appends a batch of requests whose streams es_append_batch has locked, and
-- returns one outcome per request, in request order, without raising for a
-- business outcome: {"status":"ok","revision","commit","prepare"},
-- {"status":"conflict","actual"} or {"status":"overlap","detail"}.
-- A request is {"s": stream id, "x": "any"|"no_stream"|"stream_exists"|"<revision>", "e": [events]}.
-- Raises unique_violation when an event id is used twice (within the batch or
-- by a concurrent writer to another stream); es_append_batch handles that.
-- The statements' plans do not depend on the batch's values, so the cached
-- generic plans are used instead of re-planning every statement on every call.
CREATE FUNCTION es_append_locked(requests jsonb) RETURNS jsonb LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  tx xid8 := pg_current_xact_id();
  existing jsonb;
  revisions jsonb;
  any_known boolean;
  outcomes jsonb[] := array_fill(NULL::jsonb, ARRAY[jsonb_array_length(requests)]);
  accepted int[] := '{}';
  firsts bigint[] := '{}';
  lasts bigint[] := '{}';
  req record;
  sid text;
  expected text;
  current_revision bigint;
  duplicate jsonb;
  ok boolean;
  last_seqs jsonb;
  k int;
BEGIN
  -- The streams are locked, so these revisions stay current until commit.
  SELECT coalesce(jsonb_object_agg(stream_id, revision), '{}') INTO existing
  FROM streams
  WHERE stream_id = ANY (ARRAY(SELECT r->>'s' FROM jsonb_array_elements(requests) r));
  revisions := existing;

  -- Retries are rare: one probe for the whole batch spares the per-request
  -- check. An array and = ANY keep the probe an index lookup.
  SELECT EXISTS (
    SELECT 1 FROM events
    WHERE event_id = ANY (ARRAY(
      SELECT (e->>'id')::uuid FROM jsonb_array_elements(requests) r, jsonb_array_elements(r->'e') e))
  ) INTO any_known;

  -- Requests to the same stream are decided in batch order, each seeing the
  -- revision the previous one left.
  FOR req IN SELECT r.value AS body, r.ord::int AS idx FROM jsonb_array_elements(requests) WITH ORDINALITY r(value, ord) LOOP
    sid := req.body->>'s';
    expected := req.body->>'x';
    current_revision := coalesce((revisions->>sid)::bigint, -1);
    IF any_known THEN
      duplicate := es_find_written(sid, ARRAY(
        SELECT (e.value->>'id')::uuid FROM jsonb_array_elements(req.body->'e') WITH ORDINALITY e ORDER BY e.ordinality));
      IF duplicate IS NOT NULL THEN
        outcomes[req.idx] := duplicate;
        CONTINUE;
      END IF;
    END IF;
    ok := CASE expected
      WHEN 'any' THEN true
      WHEN 'no_stream' THEN current_revision = -1
      WHEN 'stream_exists' THEN current_revision >= 0
      ELSE current_revision = expected::bigint
    END;
    IF NOT ok THEN
      outcomes[req.idx] := jsonb_build_object('status', 'conflict', 'actual', current_revision::text);
      CONTINUE;
    END IF;
    accepted := accepted || req.idx;
    firsts := firsts || (current_revision + 1);
    current_revision := current_revision + jsonb_array_length(req.body->'e');
    lasts := lasts || current_revision;
    revisions := jsonb_set(revisions, ARRAY[sid], to_jsonb(current_revision));
  END LOOP;

  IF cardinality(accepted) = 0 THEN
    RETURN to_jsonb(outcomes);
  END IF;

  -- New streams first: the events reference them.
  INSERT INTO streams (stream_id, revision)
  SELECT n.key, n.value::bigint FROM jsonb_each_text(revisions) n
  WHERE NOT existing ? n.key;

  -- One INSERT for the whole batch. ORDER BY makes seq follow batch order and,
  -- within a request, revision order, so readAll returns a stream's events in
  -- revision order.
  WITH inserted AS (
    INSERT INTO events (event_id, stream_id, revision, type, data, metadata)
    SELECT (e.value->>'id')::uuid, requests->(a.idx - 1)->>'s', a.first_revision + e.ord - 1,
           e.value->>'type', e.value->'data', coalesce(e.value->'metadata', '{}')
    FROM unnest(accepted, firsts) WITH ORDINALITY AS a(idx, first_revision, n)
    CROSS JOIN LATERAL jsonb_array_elements(requests->(a.idx - 1)->'e') WITH ORDINALITY AS e(value, ord)
    ORDER BY a.n, e.ord
    RETURNING stream_id, revision, seq
  )
  SELECT jsonb_object_agg(a.idx::text, inserted.seq::text) INTO last_seqs
  FROM unnest(accepted, lasts) AS a(idx, last_revision)
  JOIN inserted ON inserted.stream_id = requests->(a.idx - 1)->>'s' AND inserted.revision = a.last_revision;

  UPDATE streams SET revision = (revisions->>stream_id)::bigint
  WHERE stream_id = ANY (ARRAY(SELECT key FROM jsonb_each_text(revisions) WHERE existing->>key IS DISTINCT FROM value))
    AND existing ? stream_id;

  FOR k IN 1..cardinality(accepted) LOOP
    outcomes[accepted[k]] := jsonb_build_object('status', 'ok', 'revision', lasts[k]::text,
      'commit', tx::text, 'prepare', last_seqs->>(accepted[k]::text));
  END LOOP;
  RETURN to_jsonb(outcomes);
END;
$$;

-- The entry point. Global order is (tx_id, seq), so for a stream's events to
-- come in revision order, a transaction that appends to a stream after another
-- must have the younger transaction id. Ids are handed out in increasing order
-- at a transaction's first write (a row lock counts), not at commit; so the
-- streams are locked with advisory locks, which need no transaction id, and
-- the id is taken only once every lock is held. Whoever appended to the stream
-- before has committed by then and has an older id. The locks are taken in key
-- order, so two batches never wait for each other in a cycle; two streams that
-- share a key merely take turns.
--
-- The batch then runs in one subtransaction. If an event id turns out to be
-- used twice, nothing of it is kept and each request is retried alone (still
-- one round trip; the locks stay held), so that only the request that reuses
-- an id fails, as an overlap.
CREATE FUNCTION es_append_batch(requests jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  outcomes jsonb[] := array_fill(NULL::jsonb, ARRAY[jsonb_array_length(requests)]);
  lock_key int;
  req record;
  violated text;
BEGIN
  IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
    RAISE EXCEPTION 'es_append_batch must be the first write of its transaction, or global order could contradict stream order'
      USING ERRCODE = 'active_sql_transaction';
  END IF;
  FOR lock_key IN SELECT DISTINCT hashtext(r->>'s') FROM jsonb_array_elements(requests) r ORDER BY 1 LOOP
    -- 17747 ('ES') keeps these keys apart from every other advisory lock.
    PERFORM pg_advisory_xact_lock(17747, lock_key);
  END LOOP;

  BEGIN
    RETURN es_append_locked(requests);
  EXCEPTION WHEN unique_violation THEN
    GET STACKED DIAGNOSTICS violated = CONSTRAINT_NAME;
    IF violated IS DISTINCT FROM 'events_event_id_key' THEN
      RAISE;
    END IF;
  END;
  FOR req IN SELECT r.value AS body, r.ord::int AS idx FROM jsonb_array_elements(requests) WITH ORDINALITY r(value, ord) LOOP
    BEGIN
      outcomes[req.idx] := es_append_locked(jsonb_build_array(req.body))->0;
    EXCEPTION WHEN unique_violation THEN
      GET STACKED DIAGNOSTICS violated = CONSTRAINT_NAME;
      IF violated IS DISTINCT FROM 'events_event_id_key' THEN
        RAISE;
      END IF;
      outcomes[req.idx] := jsonb_build_object('status', 'overlap',
        'detail', 'an event id is already used by another stream or another request of the batch');
    END;
  END LOOP;
  RETURN to_jsonb(outcomes);
END;
$$;
