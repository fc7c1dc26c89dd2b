import { must } from '@ledger/invariant';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { Client } from 'pg';

/** How many transfers each server finished, read from its database after a load. */

/**
 * Waits until every transfer the service took is terminal and the read
 * models reached the log's last event. That counts the transfers still in
 * flight when the load stopped (their answers came too late for autocannon's
 * 2xx count) as well as the accepted ones.
 */
export async function waitForSagas(
  databaseUrl: string,
  accepted: number,
): Promise<{ completed: number; failed: number; at: number }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let polls = 0; polls < 12_000; polls++) {
      const { rows } = await client.query<{
        requested: string;
        completed: string;
        failed: string;
        projected: boolean;
      }>(`
        SELECT count(*) FILTER (WHERE type = 'TransferRequested') AS requested,
               count(*) FILTER (WHERE type = 'TransferCompleted') AS completed,
               count(*) FILTER (WHERE type = 'TransferFailed') AS failed,
               (SELECT (c.commit_pos, c.prepare_pos) >= (e.tx_id::text::bigint, e.seq)
                  FROM projection_checkpoints c,
                       (SELECT tx_id, seq FROM events ORDER BY tx_id DESC, seq DESC LIMIT 1) e
                 WHERE c.name = 'read_models') AS projected
          FROM events WHERE type IN ('TransferRequested', 'TransferCompleted', 'TransferFailed')`);
      const row = must(rows[0], 'outcome counts');
      const completed = Number(row.completed);
      const failed = Number(row.failed);
      const taken = Math.max(accepted, Number(row.requested));
      if (completed + failed >= taken && row.projected)
        return { completed, failed, at: performance.now() };
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('Transfers did not finish within 5 minutes');
  } finally {
    await client.end();
  }
}

export async function countNaiveTransfers(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM naive_transfers');
    return Number(must(rows[0], 'count row').n);
  } finally {
    await client.end();
  }
}

/**
 * Waits until the service's notification jobs are done, so that the CPU
 * and round trips measured after it include all the work a transfer causes,
 * not only what was done before the sagas finished.
 */
export async function waitForNotifications(redisUrl: string, prefix: string): Promise<void> {
  const queue = new Queue('notifications', { connection: { url: redisUrl }, prefix });
  try {
    for (let polls = 0; polls < 12_000; polls++) {
      const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('Notification jobs did not finish within 5 minutes');
  } finally {
    await queue.close();
  }
}
