-- Validates the checks 072 added NOT VALID against the rows written before
-- it. VALIDATE CONSTRAINT takes only a SHARE UPDATE EXCLUSIVE lock, so appends
-- and reads go on while it scans; in its own file (its own transaction), so
-- the exclusive lock of 072 is not held during the scan.
ALTER TABLE events VALIDATE CONSTRAINT events_hash_check;
ALTER TABLE streams VALIDATE CONSTRAINT streams_head_hash_check;
