import { must } from '@ledger/invariant';
import { randomBytes, randomUUID } from 'node:crypto';
import type { SqlDatabase } from '@ledger/database';
import { eventHash, GENESIS_HASH, type EventData } from '@ledger/event-store';
import { SqlEventStore } from '@ledger/event-store/sql';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { verifyWithAudit } from './audit.verifier';
import { signingKeyFromSeed } from './checkpoint';
import { writeCheckpoint } from './checkpointer';

const key = signingKeyFromSeed(randomBytes(32));

function events(count: number): EventData[] {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    type: 'Happened',
    data: { index: i, amount_minor: '1050' },
  }));
}

/** What someone with superuser rights can do: switch the append-only guard off and edit a row. */
async function asSuperuser(db: SqlDatabase, sql: string, params: unknown[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
    await tx.query(sql, params);
    await tx.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
  });
}

describe.each(databaseFactories())('ledger:verify and a tampered log on $name', (factory) => {
  let database: TestDatabase;
  let store: SqlEventStore;
  const [streamA, streamB, streamC] = ['audit-a', 'audit-b', 'audit-c'].map(
    (s) => `${s}-${randomUUID()}`,
  ) as [string, string, string];
  const streams = [streamA, streamB, streamC];

  beforeEach(async () => {
    database = await factory.create();
    store = new SqlEventStore(database.db);
    for (const stream of streams) await store.append(stream, events(3), 'no_stream');
    expect(await writeCheckpoint(database.db, store, key)).toMatchObject({ sequence: 1 });
    await store.append(streamB, events(2), 2n);
    expect(await writeCheckpoint(database.db, store, key)).toMatchObject({ sequence: 2 });
    // Nothing new: no checkpoint.
    expect(await writeCheckpoint(database.db, store, key)).toBeUndefined();
  });
  afterEach(() => database?.drop());

  const verify = () =>
    verifyWithAudit(database.db, store, key.publicKey, { compareReadModels: false });

  it('an untouched log verifies clean, every checkpoint included', async () => {
    const report = await verify();
    expect(report.audit).toMatchObject({ clean: true, eventsChecked: 11, checkpointsChecked: 2 });
    expect(report.clean).toBe(true);
  });

  it('names the event a superuser edited with the trigger disabled', async () => {
    const victim = must(
      (await store.readStream(streamB, { fromRevision: 1n, maxCount: 1 }))[0],
      'revision 1',
    );
    await asSuperuser(
      database.db,
      `UPDATE events SET data = jsonb_set(data, '{amount_minor}', '"999999"') WHERE event_id = $1`,
      [victim.id],
    );
    const report = await verify();
    expect(report.clean).toBe(false);
    expect(report.audit.first).toMatchObject({
      fault: 'hash_mismatch',
      subject: `event ${victim.id} (${streamB} revision 1)`,
    });
    expect(report.audit.findingCount).toBe(1);
  });

  it('a rewrite that also recomputes the hashes after the edit is caught by the signed checkpoints', async () => {
    const stream = await store.readStream(streamA);
    let previous = GENESIS_HASH;
    for (const event of stream) {
      const data = event.revision === 0n ? { ...event.data, amount_minor: '1' } : event.data;
      previous = eventHash(previous, event.streamId, event.revision, { ...event, data });
      await asSuperuser(database.db, 'UPDATE events SET data = $2, hash = $3 WHERE event_id = $1', [
        event.id,
        JSON.stringify(data),
        previous,
      ]);
    }
    const report = await verify();
    expect(report.audit.first).toMatchObject({
      fault: 'checkpoint_root_mismatch',
      subject: expect.stringMatching(/^checkpoint 1 at /),
    });
    expect(report.audit.findings.filter((f) => f.fault === 'hash_mismatch')).toEqual([]);
  });

  it('checkpoints are checked against the key they are verified with', async () => {
    const other = signingKeyFromSeed(randomBytes(32));
    const report = await verifyWithAudit(database.db, store, other.publicKey, {
      compareReadModels: false,
    });
    expect(report.audit.first).toMatchObject({ fault: 'checkpoint_unknown_key' });
  });
});
