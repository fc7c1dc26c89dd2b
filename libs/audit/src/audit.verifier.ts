import type { KeyObject } from 'node:crypto';
import type { SqlDatabase } from '@ledger/database';
import { comparePositions, parsePosition, START, type EventStore } from '@ledger/event-store';
import { verifyLedger, type VerifyOptions, type VerifyReport } from '@ledger/read-models';
import type { Checkpoint } from './checkpoint';
import { checkpointsAfter } from './checkpoint.repository';
import { LogAudit, type AuditSummary } from './log.audit';

export interface AuditedVerifyReport {
  readonly clean: boolean;
  /** Hash chains and signed checkpoints. */
  readonly audit: AuditSummary;
  /** The ledger's own checks and the read models' comparison. */
  readonly ledger: VerifyReport;
}

/**
 * `ledger:verify` on a running store: one pass over the log checks the
 * ledger, the read models, every hash chain and every checkpoint published
 * up to the head (a checkpoint taken while verify runs is left for the next run).
 */
export async function verifyWithAudit(
  db: SqlDatabase,
  store: EventStore,
  publicKey: KeyObject,
  options: Omit<VerifyOptions, 'observe'> = {},
): Promise<AuditedVerifyReport> {
  const head = await store.headPosition();
  const checkpoints = (await allCheckpoints(db)).filter(
    (c) => comparePositions(parsePosition(c.position) ?? START, head) <= 0,
  );
  const audit = new LogAudit(checkpoints, publicKey);
  const ledger = await verifyLedger(db, store, { ...options, observe: (e) => audit.apply(e) });
  const summary = audit.finish();
  return { clean: ledger.clean && summary.clean, audit: summary, ledger };
}

/** The whole series: small (one a minute is half a million a year, a few hundred bytes each). */
export async function allCheckpoints(db: SqlDatabase): Promise<Checkpoint[]> {
  const all: Checkpoint[] = [];
  for (;;) {
    const page = await checkpointsAfter(db, all.at(-1)?.sequence ?? 0);
    if (page.length === 0) return all;
    all.push(...page);
  }
}

export function formatAudit(summary: AuditSummary): string {
  const lines = [
    `hash chains and checkpoints: ${summary.clean ? 'CLEAN' : 'FINDINGS'}`,
    `  events checked   ${summary.eventsChecked} in ${summary.streams} streams`,
    `  checkpoints      ${summary.checkpointsChecked}`,
    `  findings         ${summary.findingCount}`,
    ...(summary.first
      ? [`  first            ${summary.first.fault} ${summary.first.subject}`]
      : []),
    ...summary.findings.map(
      (f) =>
        `    ${f.fault} ${f.subject}${f.expected !== undefined ? ` expected ${f.expected}` : ''}${f.actual !== undefined ? ` actual ${f.actual}` : ''}`,
    ),
  ];
  return lines.join('\n');
}
