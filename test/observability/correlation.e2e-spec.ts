import { Writable } from 'node:stream';
import { databaseFactories } from '@ledger/testing';
import { eventually } from '../../libs/jobs/src/job-queue.contract';
import { key, signUp, startLedgerApp, type LedgerTestApp } from '../support/ledger-app';

/** A pino destination that keeps every line it is given, parsed. */
function captureLines() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
}

/** The request id reaches the jobs a request causes, and the worker's log lines for them. */
describe.each(databaseFactories())('request id into job logs on $name', (factory) => {
  let t: LedgerTestApp;
  const logs = captureLines();

  beforeAll(async () => {
    t = await startLedgerApp(factory, { LOG_LEVEL: 'debug' }, undefined, {
      logDestination: logs.stream,
    });
  });
  afterAll(() => t?.close());

  it('a top-up with X-Request-Id yields saga job lines carrying it as correlationId', async () => {
    const user = await signUp(t, { currency: 'EUR' });
    await t.settle();
    const wallets = await t.http().get('/wallets').set('Authorization', user.auth);
    const res = await t
      .http()
      .post('/top-ups')
      .set('Authorization', user.auth)
      .set('Idempotency-Key', key())
      .set('X-Request-Id', 'topup-request-7')
      .send({ walletId: wallets.body.items[0].id, amountMinor: 700, currency: 'EUR' });
    expect(res.status).toBe(202);

    // The request's event carries the request id as its correlation id ...
    const { rows } = await t.db.query<{ metadata: { correlationId?: string } }>(
      `SELECT metadata FROM events WHERE stream_id = $1 ORDER BY revision LIMIT 1`,
      [res.body.id],
    );
    expect(rows[0]?.metadata.correlationId).toBe('topup-request-7');
    // ... and the worker's job for the movement logs under it, outside the request.
    const jobLines = await eventually(() => {
      const found = logs.lines.filter(
        (l) => l.correlationId === 'topup-request-7' && /^Job notifications\//.test(String(l.msg)),
      );
      return found.length > 0 ? found : undefined;
    });
    expect(jobLines[0]).toMatchObject({ context: 'jobs', correlationId: 'topup-request-7' });
    expect(jobLines.every((l) => l.reqId === undefined)).toBe(true);
    const { rows: jobs } = await t.db.query<{ payload: { correlationId?: string } }>(
      `SELECT payload FROM jobs WHERE queue LIKE '%:notifications' AND payload::text LIKE $1`,
      [`%"${res.body.id}"%`],
    );
    expect(jobs.map((j) => j.payload.correlationId)).toContain('topup-request-7');
  });
});
