-- es_append_batch runs on every write and its statements must use their
-- indexes at any table size. PL/pgSQL caches a session's plans; planned while
-- the events table is young and small (a new database, a fresh test), a
-- cached plan may scan the whole table to check event ids and keeps doing so
-- as the table grows, until statistics catch up. Measured: appends took twice
-- as long after 20,000 events on a new database. Forbidding sequential scans
-- inside the function (and the functions it calls) keeps every plan on the
-- indexes; none of its statements has a better plan without them.
ALTER FUNCTION es_append_batch(jsonb) SET enable_seqscan = off;
