import { must } from '@ledger/invariant';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventData } from '@ledger/event-store';
import { SqlEventStore } from '@ledger/event-store/sql';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { signingKeyFromSeed } from '../checkpoint';
import { writeCheckpoint } from '../checkpointer';
import { verifyExportFile } from './export.verifier';
import { exportLines } from './ledger.export';

const key = signingKeyFromSeed(randomBytes(32));
const events = (n: number): EventData[] =>
  Array.from({ length: n }, (_, i) => ({ id: randomUUID(), type: 'Happened', data: { i } }));

describe.each(databaseFactories())('ledger export and offline verify on $name', (factory) => {
  let database: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'ledger-export-'));
  const file = join(dir, `export-${factory.name}.ndjson`);

  beforeAll(async () => {
    database = await factory.create();
    const store = new SqlEventStore(database.db);
    for (let s = 0; s < 3; s++) await store.append(`audit-${randomUUID()}`, events(4), 'no_stream');
    await writeCheckpoint(database.db, store, key);
    await store.append(`audit-${randomUUID()}`, events(2), 'no_stream');
    await writeCheckpoint(database.db, store, key);
    let text = '';
    for await (const chunk of exportLines(database.db, store, key)) text += chunk;
    writeFileSync(file, text);
  });
  afterAll(() => database?.drop());

  it('an export verifies clean with the public key alone, no database', async () => {
    const report = await verifyExportFile(file, key.publicKeyBase64);
    expect(report).toMatchObject({ clean: true, keyFromExport: false });
    expect(report.audit).toMatchObject({ eventsChecked: 14, checkpointsChecked: 2 });
  });

  it('names the event edited in the file', async () => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"kind":"event"')) + 5;
    const edited = JSON.parse(must(lines[at], 'an event line'));
    lines[at] = JSON.stringify({ ...edited, data: { i: 42 } });
    const tampered = join(dir, `edited-${factory.name}.ndjson`);
    writeFileSync(tampered, lines.join('\n'));
    const report = await verifyExportFile(tampered, key.publicKeyBase64);
    expect(report.clean).toBe(false);
    expect(report.audit.first).toMatchObject({
      fault: 'hash_mismatch',
      subject: expect.stringContaining(edited.id),
    });
  });

  it('a dropped event breaks its stream and the checkpoints after it', async () => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"kind":"event"')) + 1;
    const dropped = join(dir, `dropped-${factory.name}.ndjson`);
    writeFileSync(dropped, lines.filter((_, i) => i !== at).join('\n'));
    const report = await verifyExportFile(dropped, key.publicKeyBase64);
    expect(report.clean).toBe(false);
    expect(report.audit.first).toMatchObject({ fault: 'revision_gap' });
    // The stream's head is unchanged, so the root still matches; the signed count of events does not.
    expect(report.audit.findings.map((f) => f.fault)).toContain('checkpoint_count_mismatch');
  });
});
