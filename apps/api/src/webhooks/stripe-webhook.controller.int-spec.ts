import { CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { SqlEventStore } from '@ledger/event-store/sql';
import { deriveId, sagaStreamId, type TopUpRequest } from '@ledger/ledger';
import { GatewayEventRecorder, MovementStreams } from '@ledger/ledger/nest';
import { RecordGatewayReportHandler } from '@ledger/movements';
import { PAYMENT_GATEWAY, SandboxGateway, type GatewayEvent } from '@ledger/payments';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { RejectionException } from '../http/rejection';
import { StripeWebhookController } from './stripe-webhook.controller';

describe.each(databaseFactories())('POST /webhooks/stripe on $name', (factory) => {
  let database: TestDatabase;
  let store: SqlEventStore;
  let streams: MovementStreams;
  let controller: StripeWebhookController;
  let app: TestingModule;
  const gateway = new SandboxGateway({ webhookSecret: 'whsec_test' });
  const stream = sagaStreamId('topup', deriveId('webhook-test'));
  const at = '2026-01-01T00:00:00.000Z';
  const paid: GatewayEvent = {
    type: 'payment_succeeded',
    providerEventId: 'evt_1',
    objectId: 'pi_1',
    amountMinor: 500n,
    currency: 'USD',
    metadata: { saga: stream },
    occurredAt: new Date(at),
  };

  beforeAll(async () => {
    database = await factory.create();
    store = new SqlEventStore(database.db);
    streams = new MovementStreams(store);
    // The route and its command handler on a real CommandBus.
    app = await Test.createTestingModule({
      imports: [CqrsModule.forRoot()],
      controllers: [StripeWebhookController],
      providers: [
        RecordGatewayReportHandler,
        { provide: GatewayEventRecorder, useValue: new GatewayEventRecorder(streams) },
        { provide: PAYMENT_GATEWAY, useValue: gateway },
      ],
    }).compile();
    await app.init();
    controller = app.get(StripeWebhookController);
    const request: TopUpRequest = {
      topUpId: stream.slice(6),
      requestedBy: 'u',
      walletId: 'w',
      ownerId: 'u',
      amountMinor: 500n,
      currency: 'USD',
      timeoutAt: at,
      at,
    };
    await streams.record(stream, { type: 'StartTopUp', commandId: 'req', request });
  });
  afterAll(async () => {
    await app.close();
    gateway.close();
    await database.drop();
  });

  const send = (body: Buffer, signature: string) =>
    controller.receive({ rawBody: body }, signature);

  it('refuses a forged report with 400 and writes nothing', async () => {
    const { rawBody } = gateway.signedWebhook(paid);
    const forged = new SandboxGateway({ webhookSecret: 'not-the-secret' }).signedWebhook(paid);
    // Counted in the table: the store's head can move while earlier events become visible.
    const eventCount = async () =>
      (await database.db.query('SELECT event_id FROM events')).rowCount;
    const before = await eventCount();
    const refusal = await send(rawBody, forged.signatureHeader).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(RejectionException);
    expect((refusal as RejectionException).getStatus()).toBe(400);
    await expect(
      send(
        Buffer.from(rawBody.toString().replace('500', '900')),
        gateway.signedWebhook(paid).signatureHeader,
      ),
    ).rejects.toBeInstanceOf(RejectionException);
    await expect(controller.receive({}, 'sha256=00')).rejects.toBeInstanceOf(RejectionException);
    expect(await eventCount()).toBe(before);
  });

  it('records a verified report on its saga, and a redelivery changes nothing', async () => {
    const { rawBody, signatureHeader } = gateway.signedWebhook(paid);
    await expect(send(rawBody, signatureHeader)).resolves.toEqual({ received: 'recorded' });
    const after = await store.readStream(stream);
    await expect(send(rawBody, signatureHeader)).resolves.toEqual({ received: 'duplicate' });
    expect(await store.readStream(stream)).toHaveLength(after.length);
    expect(after.map((e) => e.type)).toEqual(['TopUpRequested', 'PaymentSucceeded']);
  });

  it('acknowledges reports about objects no saga of this ledger owns', async () => {
    const stranger = gateway.signedWebhook({ ...paid, providerEventId: 'evt_2', metadata: {} });
    await expect(send(stranger.rawBody, stranger.signatureHeader)).resolves.toEqual({
      received: 'ignored',
    });
  });
});
