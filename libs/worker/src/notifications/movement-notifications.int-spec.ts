/* eslint-disable max-lines -- one scenario per notification over one shared database (a PGlite
   start takes seconds). */
import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ContactDirectory } from '@ledger/identity';
import { comparePositions, type RecordedEvent } from '@ledger/event-store';
import { SqlEventStore } from '@ledger/event-store/sql';
import {
  InProcessJobQueue,
  type EnqueueOptions,
  type JobQueue,
  type JsonValue,
} from '@ledger/jobs';
import {
  deriveId,
  sagaStreamId,
  type SagaJobQueue,
  type TransferRequest,
  type WalletCommand,
} from '@ledger/ledger';
import { MovementStreams, WalletCommands } from '@ledger/ledger/nest';
import {
  NotificationDeliveryError,
  type Delivery,
  type EmailMessage,
  type Notifier,
  type SmsMessage,
} from '@ledger/notifications';
import { databaseFactories, lastCommittedPosition, type TestDatabase } from '@ledger/testing';
import { FieldCipher } from '../../../../libs/identity/src/crypto/field-cipher';
import { UserStore } from '../../../../libs/identity/src/users/user.store';
import { loadSagaCheckpoint } from '../sagas/movements.table';
import { SagaDriver } from '../sagas/saga.driver';
import { MovementNotifications, NOTIFICATIONS_QUEUE } from './movement-notifications';
import { outcomeOf, roundJobId } from './notification-jobs';

type TransferOptions = { fund?: bigint; amount?: bigint; kind?: 'payment' };

type Sent = { channel: 'email'; message: EmailMessage } | { channel: 'sms'; message: SmsMessage };

/** Records what was sent; `failNext` makes the next sends to a recipient fail as an outage would. */
class RecordingNotifier implements Notifier {
  readonly sent: Sent[] = [];
  readonly attempts = new Map<string, number>();
  private readonly failures = new Map<string, number>();

  failNext(to: string, times: number): void {
    this.failures.set(to, times);
  }

  async sendEmail(message: EmailMessage): Promise<Delivery> {
    this.attempt(message.to, 'email', message.idempotencyKey);
    this.sent.push({ channel: 'email', message });
    return { channel: 'email', messageId: message.idempotencyKey };
  }

  async sendSms(message: SmsMessage): Promise<Delivery> {
    this.attempt(message.to, 'sms', message.idempotencyKey);
    this.sent.push({ channel: 'sms', message });
    return { channel: 'sms', messageId: message.idempotencyKey };
  }

  /** Messages about one movement, as `<channel> <to>: <subject or sms>`, sorted. */
  about(movement: string): string[] {
    return this.sent
      .filter((s) => s.message.idempotencyKey.startsWith(`${movement}:`))
      .map(
        (s) =>
          `${s.channel} ${s.message.to}: ${s.channel === 'email' ? s.message.subject : s.message.text}`,
      )
      .sort();
  }

  private attempt(to: string, channel: 'email' | 'sms', key: string): void {
    this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
    const left = this.failures.get(to) ?? 0;
    if (left > 0) {
      this.failures.set(to, left - 1);
      throw new NotificationDeliveryError(channel, true, 'SMTP 421 try again later');
    }
  }
}

const AT = '2026-01-01T00:00:00.000Z';
const PREFIX = 'notify-test';
/** Transfers enqueue no saga jobs (no provider, no timer). */
const NO_SAGA_JOBS: SagaJobQueue = { enqueue: async () => undefined, has: async () => true };
const QUEUE_KEY = `${PREFIX}:${NOTIFICATIONS_QUEUE}`;

describe.each(databaseFactories())('movement notifications on $name', (factory) => {
  let database: TestDatabase;
  let store: SqlEventStore;
  let wallets: WalletCommands;
  let streams: MovementStreams;
  let queue: InProcessJobQueue;
  let notifier: RecordingNotifier;
  let notifications: MovementNotifications;
  let driver: SagaDriver;
  let contacts: ContactDirectory;
  const dataKey = randomBytes(32);
  const alice = {
    id: randomUUID(),
    email: 'alice@example.com',
    name: 'Alice Liddell',
    phone: '+447700900123',
  };
  const bob = { id: randomUUID(), email: 'bob@example.com', name: 'Bob Builder', phone: null };

  /** A driver as a (re)started worker builds it; `name` picks its checkpoint. */
  const newDriver = (name: string) =>
    new SagaDriver(database.db, store, streams, wallets, NO_SAGA_JOBS, {
      name,
      onTerminal: (ended) => notifications.roundEnded(ended),
    });

  /** Every line the Nest loggers write while this file runs. */
  const logLines: string[] = [];
  const logSpies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    for (const level of ['log', 'warn', 'error', 'debug', 'verbose'] as const)
      logSpies.push(
        jest
          .spyOn(Logger.prototype, level)
          .mockImplementation(
            (...args: unknown[]) => void logLines.push(args.map(String).join(' ')),
          ),
      );
    database = await factory.create();
    const users = new UserStore(database.db, new FieldCipher(dataKey));
    for (const user of [alice, bob]) {
      const conflict = await users.create({
        ...user,
        emailVerified: true,
        passwordHash: null,
        googleSubject: null,
        defaultCurrency: 'USD',
        roles: ['customer'],
      });
      expect(conflict).toBeUndefined();
    }
    store = new SqlEventStore(database.db);
    wallets = new WalletCommands(store);
    streams = new MovementStreams(store);
    queue = new InProcessJobQueue(database.db, { prefix: PREFIX, pollIntervalMs: 10 });
    notifier = new RecordingNotifier();
    contacts = new ContactDirectory(database.db, dataKey);
    // Listening, so contacts are cached as in production.
    await contacts.onApplicationBootstrap();
    notifications = new MovementNotifications(queue, streams, contacts, notifier, {
      notify: { attempts: 3, backoffMs: 1 },
      deliver: { attempts: 4, backoffMs: 1 },
    });
    await notifications.start();
    driver = newDriver('notifications-test');
  });
  afterAll(async () => {
    for (const spy of logSpies) spy.mockRestore();
    await contacts.onApplicationShutdown();
    await queue.close();
    await database.drop();
  });

  /**
   * Until the driver's checkpoint is past every event written so far. One
   * `drain()` can end early on Postgres: the log only shows events below the
   * oldest transaction running, and the job queue's workers keep some running.
   */
  async function drainAll(d: SagaDriver, name: string): Promise<void> {
    const head = (await lastCommittedPosition(database.db))!;
    for (let round = 0; round < 100; round++) {
      await d.drain();
      if (comparePositions(await loadSagaCheckpoint(database.db, name), head) >= 0) return;
    }
    throw new Error(`Saga driver ${name} did not catch up`);
  }

  /** Until no notification job is waiting or running; bounded, so a stuck queue fails the test. */
  async function jobsIdle(): Promise<void> {
    for (let round = 0; round < 500; round++) {
      const { rows } = await database.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM jobs WHERE queue = $1 AND state IN ('waiting', 'active')`,
        [QUEUE_KEY],
      );
      if (Number(rows[0]?.n) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('Notification jobs did not finish');
  }

  async function must(walletId: string, command: WalletCommand): Promise<void> {
    const outcome = await wallets.execute(walletId, command);
    if (!outcome.ok)
      throw new Error(`${command.type} on ${walletId} refused: ${outcome.rejection}`);
  }

  async function openWallet(walletId: string, ownerId: string, fundMinor: bigint): Promise<void> {
    await must(walletId, {
      type: 'OpenWallet',
      commandId: `open-${walletId}`,
      at: AT,
      walletId,
      ownerId,
      currency: 'USD',
    });
    if (fundMinor === 0n) return;
    await must(walletId, {
      type: 'Credit',
      commandId: `fund-${walletId}`,
      at: AT,
      entryId: `fund-${walletId}`,
      amountMinor: fundMinor,
      currency: 'USD',
      contra: 'system:adjustments',
      kind: 'adjustment',
    });
  }

  /** Drives the transfer to its end and runs its notification jobs. */
  async function transfer(
    from: { id: string },
    to: { id: string },
    options: TransferOptions = {},
  ): Promise<string> {
    const stream = await startTransfer(from, to, options);
    await settle();
    return stream;
  }

  async function settle(): Promise<void> {
    await drainAll(driver, 'notifications-test');
    await jobsIdle();
  }

  /** The notification jobs about a movement: its own ids, or a round's that carries it. */
  async function jobsAbout(stream: string): Promise<{ id: string; name: string }[]> {
    const { rows } = await database.db.query<{ id: string; name: string }>(
      `SELECT id, name FROM jobs WHERE queue = $1 AND (id LIKE $2 OR payload::text LIKE $3)
       ORDER BY id`,
      [QUEUE_KEY, `${stream}:%`, `%"${stream}"%`],
    );
    return rows;
  }

  let n = 0;
  async function startTransfer(
    from: { id: string },
    to: { id: string },
    options: TransferOptions = {},
  ): Promise<string> {
    n++;
    const [fromWallet, toWallet] = [
      deriveId('notify-wallet', String(n), 'a'),
      deriveId('notify-wallet', String(n), 'b'),
    ];
    await openWallet(fromWallet, from.id, options.fund ?? 1_000n);
    await openWallet(toWallet, to.id, 0n);
    const transferId = deriveId('notify-transfer', String(n));
    const stream = sagaStreamId('transfer', transferId);
    const amountMinor = options.amount ?? 300n;
    const request: TransferRequest = {
      transferId,
      requestedBy: from.id,
      fromWalletId: fromWallet,
      fromOwnerId: from.id,
      toWalletId: toWallet,
      toOwnerId: to.id,
      amountMinor,
      currency: 'USD',
      creditAmountMinor: amountMinor,
      creditCurrency: 'USD',
      at: AT,
      ...(options.kind && { kind: options.kind }),
    };
    expect(
      (
        await streams.record(stream, {
          type: 'StartTransfer',
          commandId: `req-${transferId}`,
          request,
        })
      ).ok,
    ).toBe(true);
    return stream;
  }

  /** Sets part of a completed payment aside for a refund: an event on its saga after its end. */
  async function reserveRefund(stream: string, nth: number): Promise<RecordedEvent> {
    const recorded = await streams.record(stream, {
      type: 'ReserveRefund',
      commandId: `refund-${stream}-${nth}`,
      refundId: sagaStreamId('transfer', deriveId('notify-refund', stream, String(nth))),
      amountMinor: 100n,
      at: AT,
    });
    expect(recorded.ok).toBe(true);
    const late = must2(must2(await streams.replay(stream)).events.at(-1));
    expect(late.type).toBe('PaymentRefundReserved');
    return late;
  }

  /** The messages sent about a movement, each with how often it was attempted. */
  const attemptsAbout = (stream: string) =>
    messages(notifier, stream).map((m) => [
      m.idempotencyKey,
      notifier.attempts.get(m.idempotencyKey),
    ]);

  it('tells each party once that a transfer completed, by e-mail and by SMS where a phone is on file', async () => {
    const stream = await transfer(alice, bob);
    expect((await streams.replay(stream))?.summary?.status).toBe('completed');
    expect(notifier.about(stream)).toEqual([
      'email alice@example.com: Your transfer of US$3.00 is complete',
      'email bob@example.com: Your incoming transfer of US$3.00 is complete',
      'sms +447700900123: You sent US$3.00 to Bob Builder.',
    ]);
    const email = notifier.sent.find((s) => s.channel === 'email' && s.message.to === bob.email)!
      .message as EmailMessage;
    expect(email.text).toContain('You received US$3.00 from Alice Liddell.');
    expect(email.text).toContain(`Reference: ${stream}`);
    expect(email.idempotencyKey).toBe(`${stream}:notify:completed:recipient:email`);

    // Advanced again, the same events handled by a restarted driver from the
    // start of the log, the driver's hook called once more by a later batch:
    // nothing is sent twice.
    await driver.advance(stream, undefined);
    await drainAll(newDriver('notifications-test-restarted'), 'notifications-test-restarted');
    await notifications.roundEnded([
      { saga: (await streams.current(stream, 'latest'))!, woken: 'log' },
    ]);
    await jobsIdle();
    expect(notifier.about(stream)).toHaveLength(3);
  });

  it('tells only the sender that a transfer failed: nothing reached the recipient', async () => {
    const stream = await transfer(alice, bob, { fund: 100n, amount: 250n });
    expect((await streams.replay(stream))?.summary).toMatchObject({
      status: 'failed',
      failureReason: 'exceeds_available',
    });
    expect(notifier.about(stream)).toEqual([
      'email alice@example.com: Your transfer of US$2.50 did not go through',
      'sms +447700900123: Your transfer of US$2.50 did not go through: there was not enough money available.',
    ]);
    // One job, the round's, sent both messages: none was queued on its own.
    expect((await jobsAbout(stream)).map((j) => j.name)).toEqual(['movements.notify']);

    // A job for the recipient queued before this rule (or by hand) sends nothing either.
    await notifications.run({
      name: 'movement.deliver',
      payload: { movement: stream, status: 'failed', role: 'recipient', channel: 'email' },
    });

    // Nor does a driver that reads the log again from its start. Its batches
    // can end other movements beside this one (another round's id than the
    // first read's): it may send again, under the same keys.
    await drainAll(newDriver('notifications-test-failed-again'), 'notifications-test-failed-again');
    await jobsIdle();
    expect(new Set(messages(notifier, stream).map((m) => m.idempotencyKey))).toEqual(
      new Set([`${stream}:notify:failed:sender:email`, `${stream}:notify:failed:sender:sms`]),
    );
    expect(notifier.about(stream).filter((m) => m.includes(bob.email))).toEqual([]);
  });

  it('skips a party without contact details instead of retrying', async () => {
    const stranger = { id: randomUUID() };
    const stream = await transfer(alice, stranger);
    expect(notifier.about(stream)).toEqual([
      'email alice@example.com: Your transfer of US$3.00 is complete',
      'sms +447700900123: You sent US$3.00.',
    ]);
    expect(await queue.failedJobs(NOTIFICATIONS_QUEUE)).toEqual([]);
  });

  it('retries a temporary delivery failure with backoff and then sends once', async () => {
    notifier.failNext(bob.email, 2);
    const stream = await transfer(alice, bob, { amount: 125n });
    expect(notifier.about(stream)).toEqual([
      'email alice@example.com: Your transfer of US$1.25 is complete',
      'email bob@example.com: Your incoming transfer of US$1.25 is complete',
      'sms +447700900123: You sent US$1.25 to Bob Builder.',
    ]);
    expect(notifier.attempts.get(`${stream}:notify:completed:recipient:email`)).toBe(3);
    expect(notifier.attempts.get(`${stream}:notify:completed:sender:email`)).toBe(1);
    // Only the message that failed became a job of its own, and only it was retried.
    expect((await jobsAbout(stream)).map((j) => j.id)).toEqual([
      roundJobId([{ movement: stream, status: 'completed' }]),
      `${stream}:notify:completed:recipient:email`,
    ]);
  });

  it('keeps contact details out of the jobs, the saga events and the log lines', async () => {
    const { rows } = await database.db.query<{ payload: unknown }>(
      'SELECT payload FROM jobs WHERE queue = $1',
      [QUEUE_KEY],
    );
    const events = await store.readAll({ maxCount: 1_000 });
    const stored = JSON.stringify([rows, events.map((e) => e.data)]);
    expect(rows.length).toBeGreaterThan(0);
    // The skipped stranger and the skipped recipient job were logged, by movement and role.
    expect(
      logLines.some((line) => line.includes('No contact for the recipient of transfer-')),
    ).toBe(true);
    for (const value of [alice.email, alice.name, alice.phone, bob.email, bob.name]) {
      expect(stored).not.toContain(value);
      expect(logLines.join('\n')).not.toContain(value);
    }
  });

  it('sends from what the driver put in the job, reading no saga stream, the same messages as a read would', async () => {
    const stream = await transfer(alice, bob, { amount: 410n });
    const saga = must2(await streams.replay(stream));
    const terminal = must2(saga.events.find((e) => e.type === 'TransferCompleted'));
    const at = (terminal.data as { at: string }).at;
    // The driver took the steps itself and enqueued when its own terminal
    // event woke it: the job holds the end time.
    const { rows } = await database.db.query<{ payload: { movements: unknown[] } }>(
      'SELECT payload FROM jobs WHERE queue = $1 AND id = $2',
      [QUEUE_KEY, roundJobId([{ movement: stream, status: 'completed' }])],
    );
    expect(rows[0]?.payload.movements).toEqual([expect.objectContaining({ endedAt: at })]);
    // The same facts, enqueued and run where reading the saga would throw:
    const capture = new CapturingQueue();
    const carried = new RecordingNotifier();
    await new MovementNotifications(capture, noReads, contacts, carried).roundEnded([
      { saga, woken: 'log', terminal },
    ]);
    expect(capture.enqueued.map((j) => j.jobId)).toEqual([
      roundJobId([{ movement: stream, status: 'completed' }]),
    ]);
    const job = must2(capture.enqueued[0]);
    expect(job.payload).toEqual({
      movements: [
        { movement: stream, status: 'completed', endedAt: at, recipients: expect.any(String) },
      ],
    });
    await new MovementNotifications(capture, noReads, contacts, carried).run(job);
    expect(messages(carried, stream)).toHaveLength(3);
    expect(messages(carried, stream)).toEqual(messages(notifier, stream));
  });

  it('tells the parties of every movement a round ended from one job; a message that fails alone is queued on its own', async () => {
    const started = [
      await startTransfer(alice, bob, { amount: 101n }),
      await startTransfer(alice, bob, { amount: 102n }),
      await startTransfer(alice, bob, { amount: 103n }),
    ];
    notifier.failNext(bob.email, 1);
    await settle();
    const about = await Promise.all(started.map(jobsAbout));
    // No movement had a job of its own: each is in one round's job.
    for (const jobs of about)
      expect(jobs.filter((j) => j.name !== 'movement.deliver').map((j) => j.name)).toEqual([
        'movements.notify',
      ]);
    const jobs = about.flat();
    const deliveries = jobs.filter((j) => j.name === 'movement.deliver').map((j) => j.id);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatch(/:notify:completed:recipient:email$/);
    for (const stream of started) {
      expect(notifier.about(stream)).toHaveLength(3);
      for (const key of messages(notifier, stream).map((m) => m.idempotencyKey))
        expect(notifier.attempts.get(key)).toBe(key === deliveries[0] ? 2 : 1);
    }

    // Handed in one round, the three go in one job, the same whatever their order.
    const ended = await Promise.all(
      started.map(async (stream) => {
        const saga = must2(await streams.replay(stream));
        const terminal = must2(saga.events.find((e) => e.type === 'TransferCompleted'));
        return { saga, woken: 'log' as const, terminal };
      }),
    );
    const capture = new CapturingQueue();
    const again = new MovementNotifications(capture, noReads, contacts, new RecordingNotifier());
    await again.roundEnded(ended);
    const outcomes = started.map((movement) => ({ movement, status: 'completed' as const }));
    expect(capture.enqueued.map((j) => j.jobId)).toEqual([roundJobId(outcomes)]);
    expect(capture.enqueued[0]?.payload).toMatchObject({
      movements: [...started].sort().map((movement) => ({ movement, status: 'completed' })),
    });
    // The round handed again, by this process or another, is the same job
    // id, which the queue ignores.
    await again.roundEnded([...ended].reverse());
    expect(capture.enqueued.map((j) => j.jobId)).toEqual([
      roundJobId(outcomes),
      roundJobId(outcomes),
    ]);
    const redelivered = new InProcessJobQueue(database.db, { prefix: 'notify-redelivered' });
    try {
      for (const order of [ended, [...ended].reverse()])
        await new MovementNotifications(redelivered, noReads, contacts, notifier).roundEnded(order);
      const { rows } = await database.db.query<{ id: string }>(
        'SELECT id FROM jobs WHERE queue = $1',
        [`notify-redelivered:${NOTIFICATIONS_QUEUE}`],
      );
      expect(rows.map((r) => r.id)).toEqual([roundJobId(outcomes)]);
    } finally {
      await redelivered.close();
    }
  });

  it("runs a round's job under its request's id and trace when its movements share them", async () => {
    const [one, two] = [await transfer(alice, bob), await transfer(alice, bob)];
    const request = (i: number) => ({
      correlationId: `request-${i}`,
      traceparent: `00-${String(i + 1).padStart(32, '0')}-${'1'.repeat(16)}-01`,
    });
    const ended = await Promise.all(
      [one, two].map(async (stream, i) => {
        const saga = must2(await streams.replay(stream));
        const terminal = must2(saga.events.find((e) => e.type === 'TransferCompleted'));
        return { saga, woken: 'log' as const, terminal, ...request(i) };
      }),
    );
    const capture = new CapturingQueue();
    await new MovementNotifications(capture, noReads, contacts, notifier).roundEnded(ended);
    await new MovementNotifications(capture, noReads, contacts, notifier).roundEnded(
      ended.slice(0, 1),
    );
    // Retried after its end, in a movement's own job, it runs under them too.
    const [first] = ended;
    await new MovementNotifications(capture, noReads, contacts, notifier).roundEnded([
      { saga: must2(first).saga, woken: 'retry', ...request(0) },
    ]);
    const outcome = (movement: string, i: number) =>
      expect.objectContaining({ movement, status: 'completed', ...request(i) });
    // Two requests: each movement carries its own, the job neither.
    expect(capture.enqueued.map((j) => j.payload)).toEqual([
      {
        movements:
          one < two ? [outcome(one, 0), outcome(two, 1)] : [outcome(two, 1), outcome(one, 0)],
      },
      { movements: [outcome(one, 0)], ...request(0) },
      { movement: one, status: 'completed', ...request(0) },
    ]);
  });

  it('sends nothing more for an event after the end of a movement a round announced, in this process or a restarted one', async () => {
    const stream = await transfer(alice, bob, { kind: 'payment', amount: 240n });
    const sent = attemptsAbout(stream);
    expect(sent).toHaveLength(3);
    // A refund reserved after the end wakes the driver on the completed saga:
    // the batch holds no terminal event of it, so nothing is queued.
    await reserveRefund(stream, 1);
    await settle();
    expect(attemptsAbout(stream)).toEqual(sent);
    expect((await jobsAbout(stream)).map((j) => j.name)).toEqual(['movements.notify']);

    // A restarted worker (a new driver on the same checkpoint, a new
    // MovementNotifications) woken by a second refund: nothing either.
    const restarted = new MovementNotifications(queue, streams, contacts, notifier);
    const again = new SagaDriver(database.db, store, streams, wallets, NO_SAGA_JOBS, {
      name: 'notifications-test',
      onTerminal: (ended) => restarted.roundEnded(ended),
    });
    await reserveRefund(stream, 2);
    await drainAll(again, 'notifications-test');
    await jobsIdle();
    expect(attemptsAbout(stream)).toEqual(sent);
    expect((await jobsAbout(stream)).map((j) => j.name)).toEqual(['movements.notify']);

    // Two processes handed it by a later batch queue nothing; ended by the
    // very advance that hands it, or found ended after an inline run's
    // lease, its terminal event is still ahead in the log, which announces it.
    const saga = must2(await streams.current(stream, 'latest'));
    const capture = new CapturingQueue();
    for (const handed of [
      { saga, woken: 'log' as const },
      { saga, woken: 'retry' as const, stepped: true as const },
      { saga, woken: 'lease' as const },
    ])
      for (const process of [1, 2])
        await new MovementNotifications(capture, noReads, contacts, notifier).roundEnded([
          { ...handed, correlationId: `process-${process}` },
        ]);
    expect(capture.enqueued).toEqual([]);
  });

  it("announces a parked saga retried after its end in the movement's own job, which the queue dedups", async () => {
    const stream = await transfer(alice, bob, { amount: 260n });
    const saga = must2(await streams.current(stream, 'latest'));
    const own = { name: 'movement.notify', jobId: `${stream}:notify:completed` };
    const capture = new CapturingQueue();
    await new MovementNotifications(capture, noReads, contacts, notifier).roundEnded([
      { saga, woken: 'retry' },
    ]);
    expect(capture.enqueued).toEqual([
      { ...own, payload: { movement: stream, status: 'completed' } },
    ]);
    // Two processes retrying it queue one job: the queue ignores the second id.
    const redelivered = new InProcessJobQueue(database.db, { prefix: 'notify-own-again' });
    try {
      for (const process of [1, 2])
        await new MovementNotifications(redelivered, noReads, contacts, notifier).roundEnded([
          { saga, woken: 'retry', correlationId: `process-${process}` },
        ]);
      const { rows } = await database.db.query<{ id: string; name: string }>(
        'SELECT id, name FROM jobs WHERE queue = $1',
        [`notify-own-again:${NOTIFICATIONS_QUEUE}`],
      );
      expect(rows).toEqual([{ id: own.jobId, name: own.name }]);
    } finally {
      await redelivered.close();
    }
  });

  it('announces once a movement whose end and a later event the driver reads in one batch', async () => {
    const stream = await startTransfer(alice, bob, { kind: 'payment', amount: 250n });
    // Ended by an advance that tells no one, then an event after the end:
    // the driver's batch holds both, and its wake carries the later one.
    await driver.advance(stream, undefined);
    await reserveRefund(stream, 1);
    await settle();
    const sent = attemptsAbout(stream);
    expect(sent).toHaveLength(3);
    expect(sent.every(([, attempts]) => attempts === 1)).toBe(true);
    // The round's job of the batch that held the end announced it (the next
    // read's, when Postgres showed the later event only to it, sent nothing).
    expect((await jobsAbout(stream)).filter((j) => j.name !== 'movement.deliver')).toEqual([
      expect.objectContaining({ name: 'movements.notify' }),
    ]);
  });

  it("reads a batch again when its round's job could not be queued, and announces it then, parking nothing", async () => {
    const enqueue = queue.enqueue.bind(queue);
    let refused = 0;
    const spy = jest.spyOn(queue, 'enqueue').mockImplementation(async (...args) => {
      if (args[1] === 'movements.notify' && refused < 2) {
        refused++;
        throw new Error('queue unreachable');
      }
      return enqueue(...args);
    });
    try {
      const stream = await startTransfer(alice, bob, { amount: 270n });
      for (let round = 0; round < 100 && refused < 2; round++)
        await driver.drain().catch((error: unknown) => {
          expect(String(error)).toContain('queue unreachable');
        });
      expect(refused).toBe(2);
      expect((await driver.parked()).map((p) => p.movementId)).not.toContain(stream);
      await settle();
      expect(attemptsAbout(stream)).toEqual(
        messages(notifier, stream).map((m) => [m.idempotencyKey, 1]),
      );
      expect(attemptsAbout(stream)).toHaveLength(3);
      expect((await jobsAbout(stream)).map((j) => j.name)).toEqual(['movements.notify']);
    } finally {
      spy.mockRestore();
    }
  });

  it('runs a movement job queued by an earlier version, with or without the facts', async () => {
    const stream = await transfer(alice, bob, { amount: 420n });
    const saga = must2(await streams.replay(stream));
    const terminal = must2(saga.events.find((e) => e.type === 'TransferCompleted'));
    const read = new RecordingNotifier();
    await new MovementNotifications(new CapturingQueue(), streams, contacts, read).run({
      name: 'movement.notify',
      payload: { movement: stream, status: 'completed' },
    });
    const facts = outcomeOf({ saga, woken: 'log', terminal });
    expect(facts?.recipients).toBeDefined();
    const carried = new RecordingNotifier();
    await new MovementNotifications(new CapturingQueue(), noReads, contacts, carried).run({
      name: 'movement.notify',
      payload: { ...facts },
    });
    expect(messages(read, stream)).toHaveLength(3);
    expect(messages(read, stream)).toEqual(messages(notifier, stream));
    expect(messages(carried, stream)).toEqual(messages(notifier, stream));
  });

  it('sends the next notification to a changed e-mail address', async () => {
    const before = await transfer(alice, bob, { amount: 120n });
    expect(notifier.about(before)).toContain(
      'email bob@example.com: Your incoming transfer of US$1.20 is complete',
    );
    const cipher = new FieldCipher(dataKey);
    await database.db.query('UPDATE identity_users SET email_ciphertext = $2 WHERE id = $1', [
      bob.id,
      cipher.encrypt('bob.new@example.com', `email:${bob.id}`),
    ]);
    // The change reaches the cache by NOTIFY, shortly after the commit.
    for (let round = 0; round < 200; round++) {
      if ((await contacts.contactOf(bob.id))?.email === 'bob.new@example.com') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const after = await transfer(alice, bob, { amount: 130n });
    expect(notifier.about(after)).toEqual([
      'email alice@example.com: Your transfer of US$1.30 is complete',
      'email bob.new@example.com: Your incoming transfer of US$1.30 is complete',
      'sms +447700900123: You sent US$1.30 to Bob Builder.',
    ]);
  });
});

/** Keeps what is enqueued instead of running it. */
class CapturingQueue implements Pick<JobQueue, 'enqueue' | 'process'> {
  readonly enqueued: { name: string; payload: JsonValue; jobId: string }[] = [];

  async enqueue(
    _queue: string,
    name: string,
    payload: JsonValue,
    options: EnqueueOptions,
  ): Promise<void> {
    this.enqueued.push({ name, payload, jobId: options.jobId });
  }

  async process(): Promise<void> {}
}

/** Saga reads that fail: the job must send from what it carries. */
const noReads = {
  replay: async () => {
    throw new Error('the saga was read');
  },
};

/** The messages sent about one movement, by idempotency key. */
function messages(notifier: RecordingNotifier, stream: string) {
  return notifier.sent
    .filter((s) => s.message.idempotencyKey.startsWith(`${stream}:`))
    .map((s) => s.message)
    .sort((x, y) => x.idempotencyKey.localeCompare(y.idempotencyKey));
}

function must2<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('missing');
  return value;
}
