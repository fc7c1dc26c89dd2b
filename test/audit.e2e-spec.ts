import { must } from '@ledger/invariant';
import { verify as verifySignature } from 'node:crypto';
import { checkpointMessage, publicKeyFromBase64, type Checkpoint } from '@ledger/audit';
import { writeCheckpoint, readAuditConfig } from '@ledger/audit';
import { databaseFactories } from '@ledger/testing';
import {
  adminUser,
  key,
  staffUser,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from './support/ledger-app';

/** An auditor's view over HTTP: the log as NDJSON, the checkpoints, and the key that checks them. */
describe.each(databaseFactories())('audit routes on $name', (factory) => {
  let t: LedgerTestApp;
  let auditor: TestUser;

  beforeAll(async () => {
    t = await startLedgerApp(factory);
    const admin = await adminUser(t);
    auditor = await staffUser(t, admin, ['auditor']);
    const { signingKey } = readAuditConfig(t.env);
    await writeCheckpoint(t.db, t.store, signingKey);
  });
  afterAll(() => t?.close());

  it('GET /ledger/events with Accept: application/x-ndjson is one exported event per line', async () => {
    const res = await t
      .http()
      .get('/ledger/events?limit=5')
      .set('Authorization', auditor.auth)
      .set('Accept', 'application/x-ndjson');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = res.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatchObject({ kind: 'event', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }
    const json = await t.http().get('/ledger/events?limit=5').set('Authorization', auditor.auth);
    expect(json.body.items.map((e: { id: string }) => e.id)).toEqual(lines.map((l) => l.id));
  });

  it('a checkpoint from the listing checks out against the public key with node:crypto alone', async () => {
    const keyRes = await t.http().get('/ledger/checkpoints/public-key');
    expect(keyRes.status).toBe(200);
    const list = await t.http().get('/ledger/checkpoints').set('Authorization', auditor.auth);
    expect(list.status).toBe(200);
    const checkpoint = must((list.body.items as Checkpoint[])[0], 'a checkpoint');
    expect(checkpoint).toMatchObject({ sequence: 1, keyId: keyRes.body.keyId });
    const publicKey = publicKeyFromBase64(keyRes.body.publicKey);
    const signature = Buffer.from(checkpoint.signature, 'base64');
    expect(verifySignature(null, checkpointMessage(checkpoint), publicKey, signature)).toBe(true);
    const altered = { ...checkpoint, events: checkpoint.events + 1 };
    expect(verifySignature(null, checkpointMessage(altered), publicKey, signature)).toBe(false);
  });

  it('the checkpoint listing is for staff: a customer gets 403', async () => {
    const plain = await t
      .http()
      .post('/auth/signup')
      .send({
        email: `c-${key()}@example.com`,
        password: 'correct horse battery staple 42',
        currency: 'EUR',
      });
    const res = await t
      .http()
      .get('/ledger/checkpoints')
      .set('Authorization', `Bearer ${plain.body.accessToken}`);
    expect(res.status).toBe(403);
  });
});
