import type { KeyObject } from 'node:crypto';
import {
  ChainCheck,
  comparePositions,
  parsePosition,
  START,
  type ChainFault,
  type Position,
  type RecordedEvent,
} from '@ledger/event-store';
import { checkpointSignatureValid, keyIdOf, rawPublicKey, type Checkpoint } from './checkpoint';
import { headsRoot } from './merkle';

/** Every way the log or its checkpoints can fail the audit, by name. */
export type AuditFault =
  | ChainFault
  | 'checkpoint_signature_invalid'
  | 'checkpoint_unknown_key'
  | 'checkpoint_sequence_gap'
  | 'checkpoint_series_broken'
  | 'checkpoint_root_mismatch'
  | 'checkpoint_count_mismatch'
  | 'checkpoint_beyond_log';

export interface AuditFinding {
  readonly fault: AuditFault;
  /** The event (id, stream and revision) or the checkpoint (its sequence). */
  readonly subject: string;
  readonly expected?: string;
  readonly actual?: string;
}

export interface AuditSummary {
  readonly clean: boolean;
  readonly eventsChecked: number;
  readonly streams: number;
  readonly checkpointsChecked: number;
  /** The first finding in log order: the first event or checkpoint that does not match. */
  readonly first?: AuditFinding;
  readonly findingCount: number;
  readonly findings: readonly AuditFinding[];
}

const MAX_LISTED_FINDINGS = 100;

/**
 * Checks a log, fed event by event in log order, against its hash chains and
 * its signed checkpoints. Each checkpoint is checked when the log passes its
 * position: signature, place in the series, and the Merkle root and counts
 * of the heads recomputed from the events. Needs only node:crypto, so it runs
 * on a database's log and on an export alike.
 */
export class LogAudit {
  private readonly chain: ChainCheck;
  private lastSeen?: Position;
  private readonly pending: Array<{ checkpoint: Checkpoint; position: Position }>;
  private readonly keyId: string;
  private previous?: Checkpoint;
  private checked = 0;
  private count = 0;
  private readonly listed: AuditFinding[] = [];

  /**
   * `partial`: the log starts after the beginning (an export `--from` a
   * position), so each stream's first event is taken as where its chain joins
   * and checkpoint roots, which cover every stream, are not recomputed.
   */
  constructor(
    checkpoints: readonly Checkpoint[],
    private readonly publicKey: KeyObject,
    private readonly partial = false,
  ) {
    this.chain = new ChainCheck({ joinMidStream: partial });
    this.keyId = keyIdOf(rawPublicKey(publicKey));
    this.pending = [...checkpoints]
      .sort((a, b) => a.sequence - b.sequence)
      .map((checkpoint) => ({ checkpoint, position: parsePosition(checkpoint.position) ?? START }));
  }

  apply(event: RecordedEvent): void {
    this.checkUpTo(event.position);
    this.lastSeen = event.position;
    const finding = this.chain.apply(event);
    if (finding) {
      this.add({
        fault: finding.fault,
        subject: `event ${finding.eventId} (${finding.streamId} revision ${finding.revision})`,
        expected: finding.expected,
        actual: finding.actual,
      });
    }
  }

  /** Checks the checkpoints at or before the end of what was fed; any later one is beyond the log. */
  finish(): AuditSummary {
    this.checkUpTo(undefined);
    return {
      clean: this.count === 0,
      eventsChecked: this.chain.eventsChecked,
      streams: this.chain.heads.size,
      checkpointsChecked: this.checked,
      first: this.listed[0],
      findingCount: this.count,
      findings: this.listed,
    };
  }

  /** Checks every pending checkpoint before `next` (every one, at the end). */
  private checkUpTo(next: Position | undefined): void {
    for (let first = this.pending[0]; first; first = this.pending[0]) {
      const { checkpoint, position } = first;
      if (next && comparePositions(position, next) >= 0) return;
      this.pending.shift();
      const beyond = comparePositions(position, this.lastSeen ?? START) > 0;
      this.checkCheckpoint(checkpoint, beyond);
    }
  }

  private checkCheckpoint(checkpoint: Checkpoint, beyond: boolean): void {
    this.checked++;
    const subject = `checkpoint ${checkpoint.sequence} at ${checkpoint.position}`;
    const expectedSequence = (this.previous?.sequence ?? 0) + 1;
    if (checkpoint.keyId !== this.keyId) {
      this.add({
        fault: 'checkpoint_unknown_key',
        subject,
        expected: this.keyId,
        actual: checkpoint.keyId,
      });
    } else if (!checkpointSignatureValid(checkpoint, this.publicKey)) {
      this.add({ fault: 'checkpoint_signature_invalid', subject });
    }
    if (checkpoint.sequence !== expectedSequence) {
      this.add({
        fault: 'checkpoint_sequence_gap',
        subject,
        expected: String(expectedSequence),
        actual: String(checkpoint.sequence),
      });
    } else if (checkpoint.previousSignature !== (this.previous?.signature ?? null)) {
      this.add({ fault: 'checkpoint_series_broken', subject });
    }
    this.previous = checkpoint;
    if (beyond) {
      this.add({ fault: 'checkpoint_beyond_log', subject });
      return;
    }
    if (!this.partial) this.checkHeads(checkpoint, subject);
  }

  private checkHeads(checkpoint: Checkpoint, subject: string): void {
    const root = headsRoot(this.chain.heads);
    if (root !== checkpoint.root) {
      this.add({
        fault: 'checkpoint_root_mismatch',
        subject,
        expected: checkpoint.root,
        actual: root,
      });
    }
    const counts = `${this.chain.heads.size} streams, ${this.chain.eventsChecked} events`;
    const signed = `${checkpoint.streams} streams, ${checkpoint.events} events`;
    if (counts !== signed) {
      this.add({ fault: 'checkpoint_count_mismatch', subject, expected: signed, actual: counts });
    }
  }

  private add(finding: AuditFinding): void {
    this.count++;
    if (this.listed.length < MAX_LISTED_FINDINGS) this.listed.push(finding);
  }
}
