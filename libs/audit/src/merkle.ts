import { must } from '@ledger/invariant';
import { sha256Hex, type StreamHead } from '@ledger/event-store';

/**
 * The Merkle root over every stream's head (docs/audit.md, "Checkpoints").
 * Leaves are sorted by the UTF-8 bytes of the stream id; a level's odd last
 * node moves up unchanged. Each text starts with its own label, so a leaf can
 * never be read as a node or the other way round.
 */
export const EMPTY_ROOT = sha256Hex('ledger-heads-empty-v1');

export function leafHash(streamId: string, head: StreamHead): string {
  return sha256Hex(`ledger-head-v1\n${head.revision}\n${head.hash}\n${streamId}`);
}

export function nodeHash(left: string, right: string): string {
  return sha256Hex(`ledger-node-v1\n${left}\n${right}`);
}

export function compareStreamIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function headsRoot(heads: Iterable<readonly [string, StreamHead]>): string {
  const sorted = [...heads].sort(([a], [b]) => compareStreamIds(a, b));
  let level = sorted.map(([streamId, head]) => leafHash(streamId, head));
  if (level.length === 0) return EMPTY_ROOT;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = must(level[i], 'merkle node');
      const right = level[i + 1];
      next.push(right === undefined ? left : nodeHash(left, right));
    }
    level = next;
  }
  return must(level[0], 'merkle root');
}
