import { must } from '@ledger/invariant';
import type { PaymentGateway } from '../payment-gateway.port';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PermanentGatewayError } from '../payment-gateway.errors';
import { parseMpesaCallback, type MpesaCallbackLeg } from './mpesa-callbacks';
import { MPESA_STAND_IN_CREDENTIALS, MpesaStandIn } from './mpesa-stand-in';
import { MpesaGateway } from './mpesa.gateway';
import { darajaTimestamp, stkPassword } from './mpesa-wire';

/** The service's side of the callbacks: whatever arrives on the secret path. */
class CallbackInbox {
  readonly received: Array<{ path: string; body: unknown }> = [];
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({
          path: req.url ?? '',
          body: JSON.parse(Buffer.concat(chunks).toString()),
        });
        res.writeHead(200).end('{"ResultCode":0}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/mpesa/s3cret`;
  }

  on(leg: MpesaCallbackLeg) {
    return this.received
      .filter((r) => r.path.endsWith(`/${leg}`))
      .map((r) => ({ path: r.path, callback: parseMpesaCallback(leg, r.body) }));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const SAGA = 'topup-0b7c5d0e-1c1a-4a57-9d1e-2a3b4c5d6e7f';
const PAYOUT_SAGA = 'withdrawal-0b7c5d0e-1c1a-4a57-9d1e-2a3b4c5d6e7f';
const NOW = new Date('2026-03-01T09:30:15Z');

describe('MpesaGateway against the Daraja stand-in', () => {
  let standIn: MpesaStandIn;
  let inbox: CallbackInbox;
  let callbackUrl: string;

  beforeEach(async () => {
    standIn = await MpesaStandIn.start();
    inbox = new CallbackInbox();
    callbackUrl = await inbox.start();
  });
  afterEach(async () => {
    await standIn.close();
    await inbox.close();
  });

  const gateway = () =>
    new MpesaGateway({
      baseUrl: standIn.baseUrl,
      ...MPESA_STAND_IN_CREDENTIALS,
      shortcode: '174379',
      passkey: 'pass-key',
      initiatorName: 'ledger',
      securityCredential: 'credential',
      callbackUrl,
      timeoutMs: 5_000,
      now: () => NOW,
    });
  const push = (g: MpesaGateway, key = `${SAGA}:intent`, amountMinor = 150_000n) =>
    g.createPaymentIntent({
      amountMinor,
      currency: 'KES',
      customerRef: 'mpesa',
      payerPhone: '+254708374149',
      metadata: { saga: SAGA },
      idempotencyKey: key,
    });
  const confirm = (g: MpesaGateway, paymentIntentId: string) =>
    g.confirmPayment({
      paymentIntentId,
      amountMinor: 150_000n,
      currency: 'KES',
      metadata: { saga: SAGA },
    });

  it('answers a provider report with an explicit "not supported", sending nothing', async () => {
    const sent = standIn.requests.length;
    await expect(
      (gateway() as PaymentGateway).providerReport({ from: new Date(0), to: NOW }),
    ).resolves.toMatchObject({
      supported: false,
      reason: expect.stringContaining('Daraja'),
    });
    expect(standIn.requests.length).toBe(sent);
  });

  it('pushes whole shillings with the documented password, and the query confirms the callback', async () => {
    const g = gateway();
    const intent = await push(g);
    await standIn.idle();
    const sent = must(
      standIn.requests.find((r) => r.path === '/mpesa/stkpush/v1/processrequest'),
      'an STK push',
    );
    const timestamp = darajaTimestamp(NOW);
    expect(timestamp).toBe('20260301123015');
    expect(sent.body).toMatchObject({
      Amount: 1500,
      PartyA: '254708374149',
      Password: stkPassword('174379', 'pass-key', timestamp),
      CallBackURL: `${callbackUrl}/${SAGA}/stk`,
    });
    expect(inbox.on('stk')).toEqual([
      {
        path: `/webhooks/mpesa/s3cret/${SAGA}/stk`,
        callback: { leg: 'stk', checkoutRequestId: intent.paymentIntentId, resultCode: 0 },
      },
    ]);
    expect(await confirm(g, intent.paymentIntentId)).toMatchObject({
      type: 'payment_succeeded',
      providerEventId: `mpesa:stk:${intent.paymentIntentId}`,
      amountMinor: 150_000n,
      metadata: { saga: SAGA },
    });
  });

  it('caches the token, and fetches a new one once Daraja says it expired', async () => {
    const g = gateway();
    const first = await push(g, 'k1');
    await confirm(g, first.paymentIntentId);
    expect(standIn.tokensIssued).toHaveLength(1);
    standIn.expireTokens();
    const second = await push(g, 'k2');
    expect(second.paymentIntentId).not.toBe(first.paymentIntentId);
    expect(standIn.tokensIssued).toHaveLength(2);
  });

  it('a callback that never comes: the status query still says paid', async () => {
    standIn.next('no_callback');
    const g = gateway();
    const intent = await push(g);
    await standIn.idle();
    expect(inbox.on('stk')).toHaveLength(0);
    expect((await confirm(g, intent.paymentIntentId))?.type).toBe('payment_succeeded');
  });

  it('a duplicate callback confirms to the same report id', async () => {
    standIn.next('duplicate_callback');
    const g = gateway();
    const intent = await push(g);
    await standIn.idle();
    expect(inbox.on('stk')).toHaveLength(2);
    const a = await confirm(g, intent.paymentIntentId);
    const b = await confirm(g, intent.paymentIntentId);
    expect(a?.providerEventId).toBe(b?.providerEventId);
  });

  it('a refusal on the phone is payment_failed; an unanswered prompt is no outcome yet', async () => {
    standIn.next('fail', 'pending');
    const g = gateway();
    const refused = await push(g, 'k1');
    const unanswered = await push(g, 'k2');
    expect(await confirm(g, refused.paymentIntentId)).toMatchObject({
      type: 'payment_failed',
      failureCode: 'mpesa_1032',
    });
    expect(await confirm(g, unanswered.paymentIntentId)).toBeUndefined();
  });

  it('refuses what does not convert exactly to shillings before sending anything', async () => {
    const g = gateway();
    await expect(push(g, 'k1', 150_050n)).rejects.toThrow(/not a whole number of shillings/);
    await expect(
      g.createPaymentIntent({
        amountMinor: 1000n,
        currency: 'USD',
        customerRef: 'm',
        payerPhone: '+254708374149',
        metadata: { saga: SAGA },
        idempotencyKey: 'k3',
      }),
    ).rejects.toBeInstanceOf(PermanentGatewayError);
    expect(standIn.requests).toHaveLength(0);
  });

  it('pays out by B2C once per key, even from a restarted process, and confirms by status query', async () => {
    const payout = (g: MpesaGateway) =>
      g.createPayout({
        amountMinor: 50_000n,
        currency: 'KES',
        destination: { type: 'mobile_money', id: '+254708374149' },
        metadata: { saga: PAYOUT_SAGA },
        idempotencyKey: `${PAYOUT_SAGA}:payout`,
      });
    const first = await payout(gateway());
    const again = await payout(gateway());
    expect(again.payoutId).toBe(first.payoutId);
    await standIn.idle();
    expect(inbox.on('result').map((r) => r.callback)).toEqual([
      { leg: 'result', conversationId: first.payoutId, resultCode: 0 },
    ]);

    const g = gateway();
    const input = {
      payoutId: first.payoutId,
      amountMinor: 50_000n,
      currency: 'KES',
      metadata: { saga: PAYOUT_SAGA },
    };
    expect(await g.confirmPayout(input)).toBeUndefined();
    await standIn.idle();
    const status = must(inbox.on('status')[0], 'a status answer');
    expect(status.path).toBe(`/webhooks/mpesa/s3cret/${PAYOUT_SAGA}/status`);
    if (status.callback?.leg !== 'status') throw new Error('not a status answer');
    expect(g.payoutStatusEvent(status.callback, input)).toMatchObject({
      type: 'payout_paid',
      objectId: first.payoutId,
      amountMinor: 50_000n,
    });
    // An answer about another payment is no report for this one.
    expect(
      g.payoutStatusEvent({ ...status.callback, payoutId: 'AG_other' }, input),
    ).toBeUndefined();
  });
});
