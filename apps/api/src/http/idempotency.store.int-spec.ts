import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '@ledger/database';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { IdempotencyStore } from './idempotency.store';

const LEASE_MS = 15_000;

describe.each(databaseFactories())('IdempotencyStore on $name', (factory) => {
  let database: TestDatabase;
  let db: SqlDatabase;
  let store: IdempotencyStore;
  beforeAll(async () => {
    database = await factory.create();
    db = database.db;
    store = new IdempotencyStore(db, LEASE_MS);
  });
  afterAll(() => database?.drop());

  const scope = () => `user-${randomUUID()} POST /transfers`;

  /** A key as a process that was killed mid-request leaves it: no outcome, and its lease run out. */
  async function strand(s: string, key: string, hash: string, token = 'dead-holder') {
    await db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, claim_token, locked_until, created_at)
       VALUES ($1, $2, $3, $4, now() - interval '1 second', now() - interval '1 minute')`,
      [s, key, hash, token],
    );
  }

  const row = async (s: string, key: string) =>
    (
      await db.query<{ status_code: number | null; response: unknown; claim_token: string | null }>(
        'SELECT status_code, response, claim_token FROM idempotency_keys WHERE scope = $1 AND key = $2',
        [s, key],
      )
    ).rows[0];

  it('claims a new key, then tells a second request it is in progress for the rest of the lease', async () => {
    const s = scope();
    const first = await store.claim(s, 'k', 'h1');
    expect(first).toMatchObject({ kind: 'claimed', takenOver: false });
    const second = await store.claim(s, 'k', 'h1');
    expect(second.kind).toBe('in_progress');
    const retryAfter = second.kind === 'in_progress' ? second.retryAfterSeconds : 0;
    expect(retryAfter).toBeGreaterThan(LEASE_MS / 1000 - 5);
    expect(retryAfter).toBeLessThanOrEqual(LEASE_MS / 1000);
  });

  it('replays a settled key and refuses another body under it', async () => {
    const s = scope();
    const claim = await store.claim(s, 'k', 'h1');
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    expect(await store.settle(s, 'k', claim.token, 202, { id: 'transfer-1' })).toBe(true);
    expect(await store.claim(s, 'k', 'h1')).toEqual({
      kind: 'completed',
      statusCode: 202,
      response: { id: 'transfer-1' },
    });
    expect(await store.claim(s, 'k', 'h2')).toEqual({ kind: 'reused' });
  });

  it('takes over a key whose holder died, and the dead holder can no longer settle it', async () => {
    const s = scope();
    await strand(s, 'k', 'h1');
    const claim = await store.claim(s, 'k', 'h1');
    expect(claim).toMatchObject({ kind: 'claimed', takenOver: true });
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    expect((await row(s, 'k'))?.claim_token).toBe(claim.token);

    expect(await store.settle(s, 'k', claim.token, 202, { id: 'transfer-2' })).toBe(true);
    expect(await store.settle(s, 'k', 'dead-holder', 500, { id: 'late' })).toBe(false);
    expect(await store.claim(s, 'k', 'h1')).toMatchObject({
      kind: 'completed',
      response: { id: 'transfer-2' },
    });
  });

  it('a late holder settling after a take-over, before the taker finishes, records nothing', async () => {
    const s = scope();
    await strand(s, 'k', 'h1', 'slow-holder');
    const claim = await store.claim(s, 'k', 'h1');
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    expect(await store.settle(s, 'k', 'slow-holder', 202, { id: 'slow' })).toBe(false);
    await store.release(s, 'k', 'slow-holder');
    expect(await row(s, 'k')).toMatchObject({ status_code: null, claim_token: claim.token });
    expect(await store.claim(s, 'k', 'h1')).toMatchObject({ kind: 'in_progress' });
  });

  it('does not take over a stranded key for another body', async () => {
    const s = scope();
    await strand(s, 'k', 'h1');
    expect(await store.claim(s, 'k', 'h2')).toEqual({ kind: 'reused' });
    expect((await row(s, 'k'))?.claim_token).toBe('dead-holder');
  });

  it('takes over a key claimed before leases existed, which the migration left expired', async () => {
    const s = scope();
    await db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, 'k', 'h1')`,
      [s],
    );
    expect(await store.claim(s, 'k', 'h1')).toMatchObject({ kind: 'claimed', takenOver: true });
  });

  it('release lets go of the key so the client may retry at once', async () => {
    const s = scope();
    const claim = await store.claim(s, 'k', 'h1');
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    await store.release(s, 'k', claim.token);
    expect(await row(s, 'k')).toBeUndefined();
    expect(await store.claim(s, 'k', 'h2')).toMatchObject({ kind: 'claimed', takenOver: false });
  });

  it('lets exactly one of many simultaneous retries take over a stranded key', async () => {
    const s = scope();
    await strand(s, 'k', 'h1');
    const claims = await Promise.all(Array.from({ length: 8 }, () => store.claim(s, 'k', 'h1')));
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'in_progress')).toHaveLength(7);
  });

  it('makes claims that arrive together in shared statements, each with its own answer', async () => {
    const s = scope();
    await strand(s, 'stranded', 'h');
    const settledClaim = await store.claim(s, 'settled', 'h');
    if (settledClaim.kind !== 'claimed') throw new Error('expected a claim');
    await store.settle(s, 'settled', settledClaim.token, 201, { id: 'done' });
    const statements = countStatements(/^\s*INSERT INTO idempotency_keys/i);
    const claims = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => store.claim(s, `new-${i}`, 'h')),
      store.claim(s, 'stranded', 'h'),
      store.claim(s, 'settled', 'h'),
      store.claim(s, 'settled', 'other body'),
      store.claim(s, 'twice', 'h'),
      store.claim(s, 'twice', 'h'),
    ]);
    statements.restore();
    const [stranded, settled, reused, twice1, twice2] = claims.slice(12);
    for (const claim of claims.slice(0, 12))
      expect(claim).toMatchObject({ kind: 'claimed', takenOver: false });
    expect(stranded).toMatchObject({ kind: 'claimed', takenOver: true });
    expect(settled).toEqual({ kind: 'completed', statusCode: 201, response: { id: 'done' } });
    expect(reused).toEqual({ kind: 'reused' });
    expect([twice1?.kind, twice2?.kind].sort()).toEqual(['claimed', 'in_progress']);
    // Every claim holds its own token, the one its row now carries.
    const held = claims.flatMap((c, i) => (c.kind === 'claimed' ? [{ c, i }] : []));
    expect(new Set(held.map(({ c }) => c.token)).size).toBe(14);
    const first = held[0];
    if (first) expect((await row(s, 'new-0'))?.claim_token).toBe(first.c.token);
    // One statement for the first claim, then the rest in batches.
    expect(statements.count()).toBeLessThan(claims.length);
  });

  it('records outcomes settled together in one statement, each replayed exactly as given', async () => {
    const s = scope();
    const outcomes = [
      { status: 201, body: { movementId: 'transfer-a', amountMinor: '900719925474099312345' } },
      { status: 202, body: { nested: { list: [1, 'two', null], text: 'Grüße, 東京 "quoted"' } } },
      { status: 422, body: { __error: { error: 'exceeds_available', detail: 'x' } } },
      { status: 200, body: null },
    ];
    const claims = await Promise.all(outcomes.map((_, i) => store.claim(s, `k${i}`, 'h')));
    const tokens = claims.map((c) => (c.kind === 'claimed' ? c.token : 'not claimed'));
    const statements = countUpdates();
    const settled = await Promise.all([
      ...outcomes.map((o, i) =>
        store.settle(s, `k${i}`, tokens[i] ?? 'not claimed', o.status, o.body),
      ),
      // A holder taken over in the same batch: refused, and the others still recorded.
      store.settle(s, 'k0', 'someone-else', 500, { id: 'late' }),
    ]);
    expect(settled).toEqual([true, true, true, true, false]);
    expect(statements.count()).toBeLessThan(outcomes.length);
    statements.restore();
    for (const [i, o] of outcomes.entries())
      expect(await store.claim(s, `k${i}`, 'h')).toEqual({
        kind: 'completed',
        statusCode: o.status,
        response: o.body,
      });
  });

  /** Counts the UPDATE statements sent from now on. */
  const countUpdates = () => countStatements(/^\s*UPDATE/i);

  /** Counts the statements matching `pattern` sent from now on. */
  function countStatements(pattern: RegExp) {
    const query = db.query.bind(db);
    let matched = 0;
    const spy = jest.spyOn(db, 'query').mockImplementation(((text: string, params?: unknown[]) => {
      if (pattern.test(text)) matched++;
      return query(text, params);
    }) as typeof db.query);
    return { count: () => matched, restore: () => spy.mockRestore() };
  }
});
