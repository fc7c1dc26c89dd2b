-- One checkpoint table for every reader of the global log (docs/projections.md,
-- "Checkpoints"): the projector, a rebuild in progress and the saga driver
-- each own one row, moved with the same compare-and-set in the transaction
-- that commits the reader's effects. Until now the projector's rows were in
-- projection_checkpoints and the saga driver's in saga_checkpoints.
--
-- The rows move over as they are, so a running deployment resumes exactly
-- where it was: nothing is projected again and no saga is re-run. Saga
-- driver rows are named `saga:<driver name>`, so a driver and a projector can
-- never claim the same row.
ALTER TABLE projection_checkpoints RENAME TO log_checkpoints;

INSERT INTO log_checkpoints (name, commit_pos, prepare_pos, updated_at)
SELECT 'saga:' || name, commit_pos, prepare_pos, updated_at FROM saga_checkpoints;

DROP TABLE saga_checkpoints;

-- The old names stay readable (operators' queries, dashboards) as views over
-- the one table. projection_checkpoints is a plain filter, so it can still
-- be updated through; saga_checkpoints renames its rows, so it is for reading.
CREATE VIEW projection_checkpoints AS
SELECT name, commit_pos, prepare_pos, last_event_at, updated_at
  FROM log_checkpoints
 WHERE name NOT LIKE 'saga:%';

CREATE VIEW saga_checkpoints AS
SELECT substr(name, 6) AS name, commit_pos, prepare_pos, updated_at
  FROM log_checkpoints
 WHERE name LIKE 'saga:%';
