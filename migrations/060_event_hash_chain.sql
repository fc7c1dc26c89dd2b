-- The per-stream hash chain (docs/audit.md, "The hash of an event").
--
-- Every event gets `hash`: SHA-256 over its content hash and the previous
-- event's hash in the same stream. The writer sends each event's content hash
-- ("h", hash-chain.ts's contentHash: canonical JSON is far simpler to write in
-- TypeScript than over jsonb here); this function chains it to the stream's
-- head, which `streams.head_hash` keeps beside the revision. The head is read
-- and written under the stream's advisory lock that es_append_batch already
-- takes, so the chain adds no lock and appends to different streams still
-- never wait for each other. `ledger:verify` recomputes every content hash
-- from the stored data, so a wrong "h" is caught as surely as an edited row.
--
-- Events written before this migration keep a NULL hash, and a stream whose
-- head is NULL chains its next event from the genesis hash; verify reports
-- such events as unhashed.

ALTER TABLE streams ADD COLUMN head_hash text CHECK (head_hash ~ '^[0-9a-f]{64}$');
ALTER TABLE events ADD COLUMN hash text CHECK (hash ~ '^[0-9a-f]{64}$');

-- As in 001, with the chain added: the content hashes are checked, chained per
-- request in revision order, inserted with the events and kept as each
-- stream's head.
CREATE OR REPLACE FUNCTION es_append_locked(requests jsonb) RETURNS jsonb LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  tx xid8 := pg_current_xact_id();
  existing jsonb;
  revisions jsonb;
  heads jsonb;
  chained jsonb[] := '{}';
  links jsonb;
  head text;
  content text;
  j int;
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
  SELECT coalesce(jsonb_object_agg(stream_id, revision), '{}'),
         coalesce(jsonb_object_agg(stream_id, head_hash) FILTER (WHERE head_hash IS NOT NULL), '{}')
  INTO existing, heads
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
    -- Each event's link: the writer's content hash chained to the stream's
    -- head, exactly as hash-chain.ts's chainHash does it.
    head := coalesce(heads->>sid, repeat('0', 64));
    links := '[]';
    FOR j IN 0 .. jsonb_array_length(req.body->'e') - 1 LOOP
      content := req.body->'e'->j->>'h';
      IF content IS NULL OR content !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'es_append_batch: every event needs its content hash "h" (64 hex digits)'
          USING ERRCODE = 'invalid_parameter_value';
      END IF;
      head := encode(sha256(convert_to(
        'ledger-event-v1' || E'\n' || head || E'\n' || (current_revision + 1 + j)::text
          || E'\n' || content || E'\n' || sid, 'UTF8')), 'hex');
      links := links || to_jsonb(head);
    END LOOP;
    chained := chained || links;
    heads := jsonb_set(heads, ARRAY[sid], to_jsonb(head));
    current_revision := current_revision + jsonb_array_length(req.body->'e');
    lasts := lasts || current_revision;
    revisions := jsonb_set(revisions, ARRAY[sid], to_jsonb(current_revision));
  END LOOP;

  IF cardinality(accepted) = 0 THEN
    RETURN to_jsonb(outcomes);
  END IF;

  -- New streams first: the events reference them.
  INSERT INTO streams (stream_id, revision, head_hash)
  SELECT n.key, n.value::bigint, heads->>n.key FROM jsonb_each_text(revisions) n
  WHERE NOT existing ? n.key;

  -- One INSERT for the whole batch. ORDER BY makes seq follow batch order and,
  -- within a request, revision order, so readAll returns a stream's events in
  -- revision order.
  WITH inserted AS (
    INSERT INTO events (event_id, stream_id, revision, type, data, metadata, hash)
    SELECT (e.value->>'id')::uuid, requests->(a.idx - 1)->>'s', a.first_revision + e.ord - 1,
           e.value->>'type', e.value->'data', coalesce(e.value->'metadata', '{}'),
           chained[a.n]->>(e.ord::int - 1)
    FROM unnest(accepted, firsts) WITH ORDINALITY AS a(idx, first_revision, n)
    CROSS JOIN LATERAL jsonb_array_elements(requests->(a.idx - 1)->'e') WITH ORDINALITY AS e(value, ord)
    ORDER BY a.n, e.ord
    RETURNING stream_id, revision, seq
  )
  SELECT jsonb_object_agg(a.idx::text, inserted.seq::text) INTO last_seqs
  FROM unnest(accepted, lasts) AS a(idx, last_revision)
  JOIN inserted ON inserted.stream_id = requests->(a.idx - 1)->>'s' AND inserted.revision = a.last_revision;

  UPDATE streams SET revision = (revisions->>stream_id)::bigint, head_hash = heads->>stream_id
  WHERE stream_id = ANY (ARRAY(SELECT key FROM jsonb_each_text(revisions) WHERE existing->>key IS DISTINCT FROM value))
    AND existing ? stream_id;

  FOR k IN 1..cardinality(accepted) LOOP
    outcomes[accepted[k]] := jsonb_build_object('status', 'ok', 'revision', lasts[k]::text,
      'commit', tx::text, 'prepare', last_seqs->>(accepted[k]::text));
  END LOOP;
  RETURN to_jsonb(outcomes);
END;
$$;
