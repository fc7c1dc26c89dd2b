-- es_append_locked in time linear in the batch (docs/performance.md,
-- "Transfers, seventh round"). The version of 060 kept each stream's revision
-- and head in jsonb objects rewritten whole by jsonb_set for every request,
-- grew its arrays one request at a time and walked jsonb per event, so a
-- batch of a few hundred requests spent most of its time copying. Here the
-- batch is unpacked once into arrays (per request, per distinct stream and
-- per event), which PL/pgSQL keeps in expanded form, so every read and write
-- of an element in the decision loop is constant time; the loop is left with
-- nothing but the decisions and the chain, and every write is one statement
-- over the arrays.
--
-- The outcomes are those of 001 and 060: requests to one stream decided in
-- batch order, each seeing the revision the previous one left; retries
-- recognised by es_find_written; conflicts reporting the actual revision; the
-- chain exactly hash-chain.ts's chainHash; seq in batch order and, within a
-- request, revision order. One difference for a malformed call only: a batch
-- with an event that lacks its content hash is refused whole, where 060
-- refused it only if that event's request was to be written.
CREATE OR REPLACE FUNCTION es_append_locked(requests jsonb) RETURNS jsonb LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  tx xid8 := pg_current_xact_id();
  -- Per request, in batch order; `stream_of` numbers the distinct streams.
  sids text[];
  expectations text[];
  sizes int[];
  stream_of int[];
  outcomes jsonb[];
  lasts bigint[];
  ends int[];
  -- Per distinct stream, by that number.
  stream_ids text[];
  revisions bigint[];
  heads text[];
  existed boolean[];
  written boolean[];
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
  first int;
  next int := 0;
  inserted int := 0;
BEGIN
  IF jsonb_array_length(requests) = 0 THEN
    RETURN '[]';
  END IF;

  -- The streams are locked, so their revisions and heads stay current until commit.
  WITH req AS (
    SELECT r.n, r.body->>'s' AS sid, r.body->>'x' AS x, jsonb_array_length(r.body->'e') AS size,
           dense_rank() OVER (ORDER BY r.body->>'s')::int AS stream
    FROM jsonb_array_elements(requests) WITH ORDINALITY r(body, n)
  )
  SELECT q.*, st.* INTO sids, expectations, sizes, stream_of, stream_ids, revisions, heads, existed
  FROM (SELECT array_agg(r.sid ORDER BY r.n), array_agg(r.x ORDER BY r.n), array_agg(r.size ORDER BY r.n),
               array_agg(r.stream ORDER BY r.n)
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

  FOR i IN 1 .. cardinality(sids) LOOP
    k := stream_of[i];
    current_revision := revisions[k];
    first := next;
    next := next + sizes[i];
    IF any_known THEN
      duplicate := es_find_written(sids[i], ids[first + 1 : next]);
      IF duplicate IS NOT NULL THEN
        outcomes[i] := duplicate;
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
      CONTINUE;
    END IF;
    -- Each event's link: its content hash chained to the stream's head,
    -- exactly as hash-chain.ts's chainHash does it.
    head := coalesce(heads[k], repeat('0', 64));
    FOR j IN first + 1 .. next LOOP
      current_revision := current_revision + 1;
      head := encode(sha256(convert_to(concat_ws(E'\n',
        'ledger-event-v1', head, current_revision, contents[j], sids[i]), 'UTF8')), 'hex');
      event_revisions[j] := current_revision;
      hashes[j] := head;
    END LOOP;
    revisions[k] := current_revision;
    heads[k] := head;
    written[k] := true;
    lasts[i] := current_revision;
    inserted := inserted + sizes[i];
    ends[i] := inserted;
  END LOOP;

  IF inserted = 0 THEN
    RETURN to_jsonb(outcomes);
  END IF;

  -- One statement writes the batch: the new streams, the events and the
  -- streams' new revisions and heads (the events' foreign key is checked at
  -- its end). Only the written requests' events have a revision. ORDER BY
  -- makes seq follow batch order and, within a request, revision order, so
  -- readAll returns a stream's events in revision order, and the k-th
  -- smallest seq is the k-th event written.
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
