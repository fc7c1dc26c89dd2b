import { must } from '@ledger/invariant';
import type { Server } from 'node:http';
import { databaseFactories } from '@ledger/testing';
import { LiveEvents } from '../apps/api/src/live/live-events.service';
import { ManualClock } from './identity/identity-test-app';
import {
  adminUser,
  key,
  signUp,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from './support/ledger-app';
import { openEvents, type SseConnection, type SseEvent } from './support/sse-client';

const LIVE_ENV = {
  LEDGER_LIVE_POLL_MS: '50',
  LEDGER_LIVE_HEARTBEAT_MS: '200',
  LEDGER_LIVE_MAX_BUFFERED_BYTES: '4096',
};

/**
 * Live updates over HTTP: a customer follows their own wallets' balances and
 * movements, resumes after a disconnect with Last-Event-ID with no event lost
 * or repeated, gets heartbeats, and never hears of another customer; staff
 * follow everything with the projection lag; a client that does not keep up
 * is disconnected without holding the others back.
 */
describe.each(databaseFactories())('live events over HTTP on $name', (factory) => {
  let t: LedgerTestApp;
  let server: Server;
  const clock = new ManualClock(Date.now());
  let alice: TestUser;
  let bob: TestUser;
  const wallets: Record<string, string> = {};
  const saved: Record<string, string | undefined> = {};
  const open: SseConnection[] = [];

  const follow = async (user: TestUser, path = '/me/events', lastEventId?: string) => {
    const connection = await openEvents(server, path, user.auth, lastEventId);
    open.push(connection);
    return connection;
  };

  const transfer = (from: TestUser, to: TestUser, amountMinor: number) =>
    t.http().post('/transfers').set('Authorization', from.auth).set('Idempotency-Key', key()).send({
      fromWalletId: wallets[from.userId],
      toEmail: to.email,
      amountMinor,
      currency: 'EUR',
    });

  const balanceIs = (walletId: string, availableMinor: string) => (e: SseEvent) =>
    e.event === 'balance' &&
    e.data.walletId === walletId &&
    e.data.availableMinor === availableMinor;
  const movementIs = (id: string, status: string) => (e: SseEvent) =>
    e.event === 'movement' && e.data.movementId === id && e.data.status === status;

  /** Ids strictly increase: no event is delivered twice, none out of order. */
  const increasing = (events: SseEvent[]) => {
    const ids = events.filter((e) => e.hasId).map((e) => positionParts(e.lastEventId));
    return ids.every((id, i) => {
      const previous = ids[i - 1];
      return (
        previous === undefined ||
        id[0] > previous[0] ||
        (id[0] === previous[0] && id[1] > previous[1])
      );
    });
  };

  beforeAll(async () => {
    for (const [name, value] of Object.entries(LIVE_ENV)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    t = await startLedgerApp(factory, {}, clock);
    server = t.app.getHttpServer() as Server;
    alice = await signUp(t, { currency: 'EUR' });
    bob = await signUp(t, { currency: 'EUR' });
    await t.settle();
    for (const u of [alice, bob])
      wallets[u.userId] = (
        await t.http().get('/wallets').set('Authorization', u.auth).expect(200)
      ).body.items[0].id;
  }, 300_000);
  afterAll(async () => {
    for (const c of open) c.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await t?.close();
  });

  let topUpId: string;
  let firstTransfer: string;

  it("streams the caller's balance and movement changes, and nobody else's", async () => {
    const aliceLive = await follow(alice);
    const bobLive = await follow(bob);
    expect(aliceLive.status).toBe(200);
    const top = await t
      .http()
      .post('/top-ups')
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', key())
      .send({ walletId: wallets[alice.userId], amountMinor: 10_000, currency: 'EUR' });
    expect(top.status).toBe(202);
    topUpId = top.body.id;
    await aliceLive.waitFor(movementIs(topUpId, 'completed'));
    await aliceLive.waitFor(balanceIs(must(wallets[alice.userId], 'wallet'), '10000'));

    const sent = await transfer(alice, bob, 2_500);
    expect(sent.status).toBe(201);
    firstTransfer = sent.body.id;
    await aliceLive.waitFor(movementIs(firstTransfer, 'completed'));
    await aliceLive.waitFor(balanceIs(must(wallets[alice.userId], 'wallet'), '7500'));
    const received = await bobLive.waitFor(movementIs(firstTransfer, 'completed'));
    await bobLive.waitFor(balanceIs(must(wallets[bob.userId], 'wallet'), '2500'));

    // Each sees only their own wallet of a movement, and no id of the other.
    expect(received.data.walletIds).toEqual([wallets[bob.userId]]);
    const bobText = JSON.stringify(bobLive.events);
    expect(bobText).not.toContain(wallets[alice.userId]);
    expect(bobText).not.toContain(alice.userId);
    expect(bobText).not.toContain(topUpId);
    expect(JSON.stringify(aliceLive.events)).not.toContain(wallets[bob.userId]);
    expect(increasing(aliceLive.events)).toBe(true);
    // Heartbeats keep an idle connection alive.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(aliceLive.comments).toBeGreaterThan(0);
    aliceLive.close();
    bobLive.close();
  });

  it('resumes after a disconnect from Last-Event-ID with no event lost or repeated', async () => {
    const first = await follow(alice);
    const before = await transfer(alice, bob, 100);
    expect(before.status).toBe(201);
    const seen = await first.waitFor(movementIs(before.body.id, 'completed'));
    await first.waitFor(balanceIs(must(wallets[alice.userId], 'wallet'), '7400'));
    const lastId = must(first.events.at(-1), 'an event').lastEventId;
    first.close();
    await first.ended;

    // While disconnected: two more movements.
    const missedA = await transfer(alice, bob, 200);
    const missedB = await transfer(bob, alice, 50);
    expect([missedA.status, missedB.status]).toEqual([201, 201]);
    await t.settle();

    const resumed = await follow(alice, '/me/events', lastId);
    expect(resumed.status).toBe(200);
    await resumed.waitFor(movementIs(missedA.body.id, 'completed'));
    await resumed.waitFor(movementIs(missedB.body.id, 'completed'));
    await resumed.waitFor(balanceIs(must(wallets[alice.userId], 'wallet'), '7250'));
    // Nothing at or before the resume point comes again.
    const [lastCommit, lastPrepare] = positionParts(lastId);
    for (const e of resumed.events) {
      const [commit, prepare] = positionParts(String(e.data.position));
      expect(commit > lastCommit || (commit === lastCommit && prepare > lastPrepare)).toBe(true);
    }
    expect(resumed.events.some((e) => e.data.movementId === seen.data.movementId)).toBe(false);
    expect(increasing(resumed.events)).toBe(true);
    // And the changes after it came once each: one event per changed row.
    const keys = resumed.events.map((e) => `${e.event}:${e.data.movementId ?? e.data.walletId}`);
    expect(new Set(keys).size).toBe(keys.length);

    const bad = await openEvents(server, '/me/events', alice.auth, 'not-a-position');
    expect(bad.status).toBe(400);
  });

  it('streams every change to staff with the projection lag, and to nobody else', async () => {
    const refused = await openEvents(server, '/ledger/events/live', alice.auth);
    expect(refused.status).toBe(403);
    const auditor = await adminUser(t, ['auditor']);
    const staff = await follow(auditor, '/ledger/events/live');
    expect(staff.status).toBe(200);
    const sent = await transfer(bob, alice, 10);
    expect(sent.status).toBe(201);
    const moved = await staff.waitFor(movementIs(sent.body.id, 'completed'));
    expect([...(moved.data.walletIds as string[])].sort()).toEqual(
      [wallets[alice.userId], wallets[bob.userId]].sort(),
    );
    const lag = await staff.waitFor((e) => e.event === 'lag');
    expect(lag.data).toMatchObject({ name: 'read_models', checkpoint: expect.any(String) });
  });

  it('disconnects a client that does not keep up, and goes on serving the others', async () => {
    const hub = t.app.get(LiveEvents);
    let closedFor: string | undefined;
    let buffered = 0;
    // A peer that takes nothing: every byte written stays buffered.
    await hub.subscribe(
      {
        write: (chunk) => {
          buffered += chunk.length;
          return false;
        },
        get bufferedBytes() {
          return buffered;
        },
        close: (reason) => (closedFor = reason),
      },
      alice.userId,
      undefined,
    );
    const healthy = await follow(alice);
    for (let i = 0; i < 12 && !closedFor; i++) {
      const res = await transfer(alice, bob, 1);
      expect(res.status).toBe(201);
      const last = res.body.id as string;
      await healthy.waitFor(movementIs(last, 'completed'));
    }
    expect(closedFor).toBe('slow_client');
    expect(buffered).toBeLessThanOrEqual(4096);
    const after = await transfer(alice, bob, 1);
    await healthy.waitFor(movementIs(after.body.id, 'completed'));
  });
});

/** A position's two numbers (`commit.prepare`); anything else fails the test. */
function positionParts(position: string): [bigint, bigint] {
  const [, commit, prepare] = /^(\d+)\.(\d+)$/.exec(position) ?? [];
  if (commit === undefined || prepare === undefined) throw new Error(`not a position: ${position}`);
  return [BigInt(commit), BigInt(prepare)];
}
