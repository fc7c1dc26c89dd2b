-- Groups of appends written whole or not at all (EventStore.appendGroups).
-- A request may carry a group key, "g": <int>. Consecutive requests with the
-- same key are one group; a request without one is a group of one, decided
-- exactly as in 071, so every payload written before this file has the same
-- outcomes.
--
-- A group is decided at its first member, all members at once. Its streams
-- are distinct, so each member is checked against the revision the groups
-- before it in the batch left:
-- - every member a retry (es_find_written's "ok"): each its first result,
--   nothing written;
-- - some members retries, not all: every member "overlap";
-- - a member whose ids were written elsewhere ("overlap"), or whose
--   expectation fails ("conflict", with the actual revision): that member's
--   outcome, every other member {"status":"aborted"};
-- - otherwise every member is written, as a request alone is.
-- The client takes the first member's error as the group's outcome, never
-- an "aborted" one. The group keys are one more array unpacked with the
-- others; a request alone costs the loop a test of its key and a few integer
-- steps, a group one pass over its members before they are written, so the
-- function stays linear in the batch. The chain, the checks of 072 and the
-- single writing statement are 071's.
CREATE OR REPLACE FUNCTION es_append_locked(requests jsonb) RETURNS jsonb LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  tx xid8 := pg_current_xact_id();
  -- Per request, in batch order; `stream_of` numbers the distinct streams.
  sids text[];
  expectations text[];
  sizes int[];
  stream_of int[];
  group_keys int[];
  outcomes jsonb[];
  lasts bigint[];
  ends int[];
  -- Per distinct stream, by that number.
  stream_ids text[];
  revisions bigint[];
  heads text[];
  existed boolean[];
  written boolean[];
  -- The first member of the group that last named the stream (groups only).
  claimed int[];
  -- Per event, in batch order and, within a request, in order.
  ids uuid[];
  event_sids text[];
  types text[];
  datas jsonb[];
  metas jsonb[];
  contents text[];
  all_hashed boolean;
  event_revisions bigint[];
  hashes text[];
  seqs bigint[];
  any_known boolean;
  duplicate jsonb;
  ok boolean;
  current_revision bigint;
  head text;
  k int;
  i int := 1;
  last int;
  first int;
  next int := 0;
  retried int;
  refused boolean;
  inserted int := 0;
BEGIN
  IF jsonb_array_length(requests) = 0 THEN
    RETURN '[]';
  END IF;

  -- The streams are locked, so their revisions and heads stay current until commit.
  WITH req AS (
    SELECT r.n, r.body->>'s' AS sid, r.body->>'x' AS x, jsonb_array_length(r.body->'e') AS size,
           (r.body->>'g')::int AS g, dense_rank() OVER (ORDER BY r.body->>'s')::int AS stream
    FROM jsonb_array_elements(requests) WITH ORDINALITY r(body, n)
  )
  SELECT q.*, st.* INTO sids, expectations, sizes, group_keys, stream_of, stream_ids, revisions, heads, existed
  FROM (SELECT array_agg(r.sid ORDER BY r.n), array_agg(r.x ORDER BY r.n), array_agg(r.size ORDER BY r.n),
               array_agg(r.g ORDER BY r.n), array_agg(r.stream ORDER BY r.n)
        FROM req r) q,
       (SELECT array_agg(d.sid ORDER BY d.stream), array_agg(coalesce(s.revision, -1) ORDER BY d.stream),
               array_agg(s.head_hash ORDER BY d.stream), array_agg(s.stream_id IS NOT NULL ORDER BY d.stream)
        FROM (SELECT DISTINCT r.sid, r.stream FROM req r) d
        LEFT JOIN streams s ON s.stream_id = d.sid) st;

  SELECT array_agg((e.body->>'id')::uuid ORDER BY r.n, e.n), array_agg(r.body->>'s' ORDER BY r.n, e.n),
         array_agg(e.body->>'type' ORDER BY r.n, e.n), array_agg(e.body->'data' ORDER BY r.n, e.n),
         array_agg(coalesce(e.body->'metadata', '{}') ORDER BY r.n, e.n),
         array_agg(e.body->>'h' ORDER BY r.n, e.n),
         bool_and(coalesce(octet_length(e.body->>'h') = 64 AND e.body->>'h' !~ '[^0-9a-f]', false))
  INTO ids, event_sids, types, datas, metas, contents, all_hashed
  FROM jsonb_array_elements(requests) WITH ORDINALITY r(body, n)
  CROSS JOIN LATERAL jsonb_array_elements(r.body->'e') WITH ORDINALITY e(body, n);
  -- 64 bytes none of which is outside [0-9a-f] is what '^[0-9a-f]{64}$' says,
  -- at a twentieth of the cost (see 072).
  IF NOT all_hashed THEN
    RAISE EXCEPTION 'es_append_batch: every event needs its content hash "h" (64 hex digits)'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  -- Retries are rare: one probe for the whole batch spares the per-request check.
  SELECT EXISTS (SELECT 1 FROM events WHERE event_id = ANY (ids)) INTO any_known;

  outcomes := array_fill(NULL::jsonb, ARRAY[cardinality(sids)]);
  lasts := array_fill(NULL::bigint, ARRAY[cardinality(sids)]);
  ends := array_fill(NULL::int, ARRAY[cardinality(sids)]);
  written := array_fill(false, ARRAY[cardinality(stream_ids)]);
  event_revisions := array_fill(NULL::bigint, ARRAY[cardinality(ids)]);
  hashes := array_fill(NULL::text, ARRAY[cardinality(ids)]);

  -- One group per turn, requests i to last; `first` is the number of events before it.
  WHILE i <= cardinality(sids) LOOP
    last := i;
    IF group_keys[i] IS NOT NULL THEN
      WHILE last < cardinality(sids) AND group_keys[last + 1] = group_keys[i] LOOP
        last := last + 1;
      END LOOP;
    END IF;
    first := next;

    IF last = i THEN
      -- A request alone, decided as in 071.
      current_revision := revisions[stream_of[i]];
      next := next + sizes[i];
      IF any_known THEN
        duplicate := es_find_written(sids[i], ids[first + 1 : next]);
        IF duplicate IS NOT NULL THEN
          outcomes[i] := duplicate;
          i := i + 1;
          CONTINUE;
        END IF;
      END IF;
      ok := CASE expectations[i]
        WHEN 'any' THEN true
        WHEN 'no_stream' THEN current_revision = -1
        WHEN 'stream_exists' THEN current_revision >= 0
        ELSE current_revision = expectations[i]::bigint
      END;
      IF NOT ok THEN
        outcomes[i] := jsonb_build_object('status', 'conflict', 'actual', current_revision::text);
        i := i + 1;
        CONTINUE;
      END IF;
    ELSE
      -- A group: every member is decided before any is written.
      IF claimed IS NULL THEN
        claimed := array_fill(0, ARRAY[cardinality(stream_ids)]);
      END IF;
      retried := 0;
      refused := false;
      FOR m IN i .. last LOOP
        k := stream_of[m];
        IF claimed[k] = i THEN
          RAISE EXCEPTION 'es_append_batch: a group names stream % twice', sids[m]
            USING ERRCODE = 'invalid_parameter_value';
        END IF;
        claimed[k] := i;
        next := next + sizes[m];
        IF any_known THEN
          duplicate := es_find_written(sids[m], ids[next - sizes[m] + 1 : next]);
          IF duplicate IS NOT NULL THEN
            outcomes[m] := duplicate;
            IF duplicate->>'status' = 'ok' THEN
              retried := retried + 1;
            ELSE
              refused := true;
            END IF;
            CONTINUE;
          END IF;
        END IF;
        current_revision := revisions[k];
        ok := CASE expectations[m]
          WHEN 'any' THEN true
          WHEN 'no_stream' THEN current_revision = -1
          WHEN 'stream_exists' THEN current_revision >= 0
          ELSE current_revision = expectations[m]::bigint
        END;
        IF NOT ok THEN
          outcomes[m] := jsonb_build_object('status', 'conflict', 'actual', current_revision::text);
          refused := true;
        END IF;
      END LOOP;
      IF retried = last - i + 1 THEN
        -- The whole group again: each member's first result is its outcome already.
        i := last + 1;
        CONTINUE;
      END IF;
      IF retried > 0 THEN
        FOR m IN i .. last LOOP
          outcomes[m] := jsonb_build_object('status', 'overlap',
            'detail', 'some of the group''s appends were written before, not all');
        END LOOP;
        i := last + 1;
        CONTINUE;
      END IF;
      IF refused THEN
        FOR m IN i .. last LOOP
          outcomes[m] := coalesce(outcomes[m], '{"status":"aborted"}');
        END LOOP;
        i := last + 1;
        CONTINUE;
      END IF;
    END IF;

    -- Every request from i to last is written. Each event's link: its content
    -- hash chained to the stream's head, exactly as hash-chain.ts's chainHash
    -- does it.
    FOR m IN i .. last LOOP
      k := stream_of[m];
      current_revision := revisions[k];
      head := coalesce(heads[k], repeat('0', 64));
      FOR j IN first + 1 .. first + sizes[m] LOOP
        current_revision := current_revision + 1;
        head := encode(sha256(convert_to(concat_ws(E'\n',
          'ledger-event-v1', head, current_revision, contents[j], sids[m]), 'UTF8')), 'hex');
        event_revisions[j] := current_revision;
        hashes[j] := head;
      END LOOP;
      first := first + sizes[m];
      revisions[k] := current_revision;
      heads[k] := head;
      written[k] := true;
      lasts[m] := current_revision;
      inserted := inserted + sizes[m];
      ends[m] := inserted;
    END LOOP;
    i := last + 1;
  END LOOP;

  IF inserted = 0 THEN
    RETURN to_jsonb(outcomes);
  END IF;

  -- One statement writes the batch: the new streams, the events and the
  -- streams' new revisions and heads (the events' foreign key is checked at
  -- its end). Only the written requests' events have a revision. ORDER BY
  -- makes seq follow batch order and, within a request, revision order, so
  -- readAll returns a stream's events in revision order and a group's events
  -- one after another, and the k-th smallest seq is the k-th event written.
  WITH written_streams AS (
    SELECT s.* FROM unnest(stream_ids, revisions, heads, existed, written) s(sid, revision, head, existed, written)
    WHERE s.written
  ), created AS (
    INSERT INTO streams (stream_id, revision, head_hash)
    SELECT w.sid, w.revision, w.head FROM written_streams w WHERE NOT w.existed
  ), moved AS (
    UPDATE streams SET revision = w.revision, head_hash = w.head
    FROM written_streams w WHERE streams.stream_id = w.sid AND w.existed
  ), inserted_events AS (
    INSERT INTO events (event_id, stream_id, revision, type, data, metadata, hash)
    SELECT e.id, e.sid, e.revision, e.type, e.data, e.metadata, e.hash
    FROM unnest(ids, event_sids, event_revisions, types, datas, metas, hashes)
      WITH ORDINALITY e(id, sid, revision, type, data, metadata, hash, n)
    WHERE e.revision IS NOT NULL
    ORDER BY e.n
    RETURNING seq
  )
  SELECT array_agg(seq ORDER BY seq) INTO seqs FROM inserted_events;

  RETURN (
    SELECT jsonb_agg(coalesce(o.outcome, jsonb_build_object('status', 'ok', 'revision', o.last::text,
             'commit', tx::text, 'prepare', seqs[o.ending]::text)) ORDER BY o.n)
    FROM unnest(outcomes, lasts, ends) WITH ORDINALITY o(outcome, last, ending, n)
  );
END;
$$;

-- The entry point of 001, with the fallback by groups: when an event id
-- turns out to be used twice, nothing of the batch is kept and each group is
-- retried alone (a request without "g" alone, as before), so that a group
-- stays whole or nothing and only the group that reuses an id fails, every
-- member of it as an overlap. The locks, their order and the first-write
-- check are 001's; enable_seqscan = off is 002's, which a replaced function
-- would otherwise lose.
CREATE OR REPLACE FUNCTION es_append_batch(requests jsonb) RETURNS jsonb LANGUAGE plpgsql
SET enable_seqscan = off AS $$
DECLARE
  outcomes jsonb[] := array_fill(NULL::jsonb, ARRAY[jsonb_array_length(requests)]);
  lock_key int;
  grp record;
  answer jsonb;
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
  -- Still one round trip, the locks still held; each group sees what the
  -- groups before it wrote.
  FOR grp IN
    SELECT min(b.n)::int AS first, count(*)::int AS size, jsonb_agg(b.body ORDER BY b.n) AS members
    FROM (
      SELECT a.body, a.n, count(*) FILTER (WHERE a.starts) OVER (ORDER BY a.n) AS grp
      FROM (
        SELECT r.body, r.n,
               r.body->'g' IS NULL OR lag(r.body->'g') OVER (ORDER BY r.n) IS DISTINCT FROM r.body->'g' AS starts
        FROM jsonb_array_elements(requests) WITH ORDINALITY r(body, n)
      ) a
    ) b
    GROUP BY b.grp
    ORDER BY b.grp
  LOOP
    BEGIN
      answer := es_append_locked(grp.members);
      FOR j IN 0 .. grp.size - 1 LOOP
        outcomes[grp.first + j] := answer->j;
      END LOOP;
    EXCEPTION WHEN unique_violation THEN
      GET STACKED DIAGNOSTICS violated = CONSTRAINT_NAME;
      IF violated IS DISTINCT FROM 'events_event_id_key' THEN
        RAISE;
      END IF;
      FOR j IN 0 .. grp.size - 1 LOOP
        outcomes[grp.first + j] := jsonb_build_object('status', 'overlap',
          'detail', 'an event id is already used by another stream or another request of the batch');
      END LOOP;
    END;
  END LOOP;
  RETURN to_jsonb(outcomes);
END;
$$;
