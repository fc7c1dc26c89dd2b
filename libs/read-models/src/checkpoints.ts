/**
 * A projector's checkpoint is a row of the one checkpoint store every reader
 * of the log shares (`@ledger/event-store/sql`, `log_checkpoints`): rows and
 * checkpoint move in one transaction, so the checkpoint is exactly what the
 * read model reflects.
 */
export {
  CheckpointMoved,
  findCheckpoint,
  loadCheckpoint,
  lockCheckpoint,
  moveCheckpoint,
  type Checkpoint,
} from '@ledger/event-store/sql';
