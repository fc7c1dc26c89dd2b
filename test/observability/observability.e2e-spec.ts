import { Writable } from 'node:stream';
import { databaseFactories } from '@ledger/testing';
import {
  key,
  signUp,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from '../support/ledger-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A pino destination that keeps every line it is given, parsed. */
function captureLines() {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { stream, lines, raw };
}

/** Value of one series in Prometheus text, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe.each(databaseFactories())('logs, metrics and health on $name', (factory) => {
  let t: LedgerTestApp;
  let alice: TestUser;
  const logs = captureLines();

  beforeAll(async () => {
    t = await startLedgerApp(factory, {}, undefined, { logDestination: logs.stream });
    alice = await signUp(t, { currency: 'EUR' });
    await t.settle();
  });
  afterAll(() => t?.close());

  it('keeps a caller’s X-Request-Id, makes one up otherwise, and refuses implausible ones', async () => {
    const kept = await t.http().get('/health/live').set('X-Request-Id', 'req-42.a:b').expect(200);
    expect(kept.headers['x-request-id']).toBe('req-42.a:b');
    const made = await t.http().get('/health/live').expect(200);
    expect(made.headers['x-request-id']).toMatch(UUID);
    const forged = await t
      .http()
      .get('/health/live')
      .set('X-Request-Id', 'x'.repeat(129))
      .expect(200);
    expect(forged.headers['x-request-id']).toMatch(UUID);
    // Refused by body parsing, before any route: still an id and an access line.
    const malformed = await t
      .http()
      .post('/auth/signup')
      .set('Content-Type', 'application/json')
      .set('X-Request-Id', 'malformed-body')
      .send('{"email":')
      .expect(400);
    expect(malformed.headers['x-request-id']).toBe('malformed-body');
    expect(logs.lines.filter((l) => l.reqId === 'malformed-body')).toEqual([
      expect.objectContaining({ res: { statusCode: 400 } }),
    ]);
  });

  it('writes one JSON access line per request, with its id and no e-mail or token', async () => {
    const res = await t
      .http()
      .get(`/wallets?owner=${encodeURIComponent(alice.email)}`)
      .set('Authorization', alice.auth)
      .set('X-Request-Id', 'access-line-1');
    expect(res.headers['x-request-id']).toBe('access-line-1');
    const access = logs.lines.filter(
      (l) => l.reqId === 'access-line-1' && typeof l.responseTime === 'number',
    );
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ req: { method: 'GET' }, res: { statusCode: res.status } });
    const signUpLine = logs.lines.find((l) => String(l.msg).startsWith('POST /auth/signup 201'));
    expect(signUpLine).toBeDefined();
    const everything = logs.raw.join('\n');
    expect(everything).not.toContain(alice.email);
    expect(everything).not.toContain(alice.token);
    expect(everything).not.toContain('\u001b[');
  });

  it('answers live and ready, and /health as ready', async () => {
    expect((await t.http().get('/health/live').expect(200)).body.status).toBe('ok');
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      info: { eventStore: { status: 'up' }, database: { status: 'up' } },
    });
    expect(ready.body.info.projectionLag).toMatchObject({ status: 'up', maxLagSeconds: 300 });
    const legacy = await t.http().get('/health').expect(200);
    expect(legacy.body).toMatchObject({
      status: 'up',
      checks: {
        eventStore: { status: 'up' },
        database: { status: 'up' },
        projectionLag: { status: 'up' },
      },
    });
  });

  it('exposes the named series on /metrics after a few requests', async () => {
    const wallet = (await t.http().get('/wallets').set('Authorization', alice.auth).expect(200))
      .body.items[0] as { id: string };
    const topUp = () =>
      t
        .http()
        .post('/top-ups')
        .set('Authorization', alice.auth)
        .set('Idempotency-Key', idempotencyKey)
        .send({ walletId: wallet.id, amountMinor: 1_234, currency: 'EUR' })
        .expect(202);
    const idempotencyKey = key();
    await topUp();
    expect((await topUp()).headers['idempotent-replayed']).toBe('true');
    await t.http().get('/wallets/not-a-wallet').set('Authorization', alice.auth);
    await t.http().get('/no-such-route').expect(404);

    // The saga driver records the movement row shortly after the request: scrape until it has.
    let res = await t.http().get('/metrics').expect(200);
    for (
      let round = 0;
      round < 100 && !sample(res.text, 'ledger_sagas', { kind: 'topup' });
      round++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      res = await t.http().get('/metrics').expect(200);
    }
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.text;
    const http = 'ledger_http_request_duration_seconds_count';
    expect(sample(text, http, { method: 'GET', route: '/wallets', status: '200' })).toBe(1);
    expect(sample(text, http, { method: 'POST', route: '/top-ups', status: '202' })).toBe(2);
    expect(sample(text, http, { route: '/wallets/:id' })).toBeGreaterThanOrEqual(1);
    const unmatched = text
      .split('\n')
      .filter((l) => l.startsWith(`${http}{`) && l.includes('route="unmatched"'));
    // The unknown path, and the body refused before routing in the first test.
    expect(unmatched.sort()).toEqual([
      `${http}{method="GET",route="unmatched",status="404"} 1`,
      `${http}{method="POST",route="unmatched",status="400"} 1`,
    ]);
    expect(
      sample(text, 'ledger_http_idempotent_replays_total', { method: 'POST', route: '/top-ups' }),
    ).toBe(1);
    expect(sample(text, 'ledger_sagas', { kind: 'topup' })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^ledger_projection_lag_seconds\{projection="read_models"\} \d/m);
    expect(text).toMatch(/^ledger_projection_events_behind\{projection="read_models"\} \d/m);
    expect(text).toMatch(/^ledger_event_store_head_position \d/m);
    expect(text).toMatch(/^ledger_sagas_parked_oldest_seconds 0/m);
    expect(
      sample(text, 'ledger_command_duration_seconds_count', { outcome: 'accepted' }),
    ).toBeGreaterThan(0);
    expect(text).toMatch(/^ledger_event_store_append_batch_size_count [1-9]/m);
    expect(text).toMatch(/^ledger_command_conflict_retries_total \d/m);
    expect(text).toContain('# TYPE ledger_jobs gauge');
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).not.toContain('ledger_metrics_collect_errors_total{');
  });
});
