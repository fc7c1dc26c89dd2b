import { must } from '@ledger/invariant';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  MPESA_STAND_IN_CREDENTIALS,
  MpesaStandIn,
} from '../libs/payments/src/mpesa/mpesa-stand-in';
import { databaseFactories } from '@ledger/testing';
import { ManualClock } from './identity/identity-test-app';
import {
  enrolTwoFactor,
  key,
  signUp,
  startLedgerApp,
  verifyEmail,
  type LedgerTestApp,
  type TestUser,
} from './support/ledger-app';

/** A port nothing listens on, so Daraja's callback URL is known before the service starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * M-Pesa top-ups and withdrawals through the running service against the
 * Daraja stand-in, which calls back on the secret path: the callback is only
 * a cue, the STK push query or the transaction status query decides, and a
 * forged, mismatched, duplicate or late callback writes nothing.
 */
describe('M-Pesa top-ups and withdrawals over HTTP against the Daraja stand-in', () => {
  const secret = randomBytes(24).toString('base64url');
  let standIn: MpesaStandIn;
  let t: LedgerTestApp;
  let port: number;
  let ada: TestUser;
  let walletId: string;
  // Withdrawals need a fresh second factor; the pinned clock moves it on.
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    standIn = await MpesaStandIn.start();
    port = await freePort();
    t = await startLedgerApp(
      databaseFactories()[0],
      {
        MPESA_GATEWAY: 'daraja',
        MPESA_API_URL: standIn.baseUrl,
        MPESA_CONSUMER_KEY: MPESA_STAND_IN_CREDENTIALS.consumerKey,
        MPESA_CONSUMER_SECRET: MPESA_STAND_IN_CREDENTIALS.consumerSecret,
        MPESA_SHORTCODE: '174379',
        MPESA_PASSKEY: 'pass-key',
        MPESA_INITIATOR_NAME: 'ledger',
        MPESA_SECURITY_CREDENTIAL: 'credential',
        MPESA_CALLBACK_BASE_URL: `http://127.0.0.1:${port}`,
        MPESA_CALLBACK_SECRET: secret,
      },
      clock,
    );
    await t.app.listen(port, '127.0.0.1');
    ada = await signUp(t, { currency: 'KES' });
    await t
      .http()
      .patch('/me')
      .set('Authorization', ada.auth)
      .send({ phone: '+254708374149' })
      .expect(200);
    await t.settle();
    const wallets = await t.http().get('/wallets').set('Authorization', ada.auth).expect(200);
    walletId = wallets.body.items[0].id;
  });
  afterAll(async () => {
    await standIn?.close();
    await t?.close();
  });

  const topUp = (amountMinor: number) =>
    t
      .http()
      .post('/top-ups')
      .set('Authorization', ada.auth)
      .set('Idempotency-Key', key())
      .send({ walletId, amountMinor, currency: 'KES', method: 'mpesa' });

  async function finished(id: string): Promise<{ status: string }> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const res = await t.http().get(`/movements/${id}`).set('Authorization', ada.auth);
      if (res.status === 200 && ['completed', 'failed'].includes(res.body.status)) return res.body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`Movement ${id} did not finish`);
  }
  const available = async () => {
    await t.settle();
    const res = await t
      .http()
      .get(`/wallets/${walletId}`)
      .set('Authorization', ada.auth)
      .expect(200);
    return BigInt(res.body.availableMinor);
  };

  it('credits a confirmed payment once, even when Daraja calls back twice', async () => {
    standIn.next('duplicate_callback');
    const res = await topUp(150_000);
    expect(res.status).toBe(202);
    expect(res.body.clientSecret).toBeUndefined();
    await standIn.idle();
    expect((await finished(res.body.id)).status).toBe('completed');
    expect(await available()).toBe(150_000n);
    const queries = standIn.requests.filter((r) => r.path === '/mpesa/stkpushquery/v1/query');
    expect(queries.length).toBeGreaterThanOrEqual(1);
  });

  it('a refusal on the phone fails the top-up and credits nothing', async () => {
    standIn.next('fail');
    const res = await topUp(20_000);
    await standIn.idle();
    expect((await finished(res.body.id)).status).toBe('failed');
    expect(await available()).toBe(150_000n);
  });

  it('refuses amounts that are not whole shillings, and other currencies, writing nothing', async () => {
    const before = await t.eventCount();
    const cents = await topUp(150_050);
    expect(cents.status).toBe(422);
    expect(cents.body.error).toBe('amount_not_whole_shillings');
    expect(before).toBe(await t.eventCount());
  });

  it('a forged callback on a wrong path, or about another request, is a 404 and writes nothing', async () => {
    standIn.next('pending');
    const res = await topUp(10_000);
    const saga = res.body.id as string;
    const push = must(
      standIn.requests.filter((r) => r.path === '/mpesa/stkpush/v1/processrequest').at(-1),
      'an STK push',
    );
    const paid = (checkoutRequestId: string) => ({
      Body: {
        stkCallback: { CheckoutRequestID: checkoutRequestId, ResultCode: 0, ResultDesc: 'ok' },
      },
    });
    expect(push.body.CallBackURL).toBe(
      `http://127.0.0.1:${port}/webhooks/mpesa/${secret}/${saga}/stk`,
    );
    await t.settle();
    const before = await t.eventCount();
    const post = (path: string, body: unknown) =>
      t
        .http()
        .post(path)
        .send(body as object);
    const guessed = await post(`/webhooks/mpesa/${'x'.repeat(32)}/${saga}/stk`, paid('ws_CO_1'));
    expect(guessed.status).toBe(404);
    expect(guessed.body.error).toBe('not_found');
    expect((await post(`/webhooks/mpesa/${secret}/${saga}/stk`, paid('ws_CO_other'))).status).toBe(
      404,
    );
    expect((await post(`/webhooks/mpesa/${secret}/${saga}/result`, paid('ws_CO_1'))).status).toBe(
      404,
    );
    // The right path and id, while the customer has not answered: the query says so, nothing is recorded.
    const id = (await t.http().get(`/movements/${saga}`).set('Authorization', ada.auth)).body;
    expect(id.status).toBe('pending');
    await t.settle();
    expect(await t.eventCount()).toBe(before);
    expect(await available()).toBe(150_000n);
  });

  describe('withdrawals to the phone', () => {
    let code: () => Promise<string>;
    beforeAll(async () => {
      await verifyEmail(t, ada);
      code = await enrolTwoFactor(t, ada, clock);
    });

    const withdraw = async (amountMinor: number) => {
      // Each code pays for one request: the next one waits for the next window.
      clock.advanceSeconds(30);
      return t
        .http()
        .post('/withdrawals')
        .set('Authorization', ada.auth)
        .set('Idempotency-Key', key())
        .set('X-2FA-Code', await code())
        .send({ walletId, amountMinor, currency: 'KES', method: 'mpesa' });
    };
    const lastPayment = () =>
      must(
        standIn.requests.filter((r) => r.path === '/mpesa/b2c/v3/paymentrequest').at(-1),
        'a B2C payment request',
      );
    /** Daraja's B2C result for the last payment, as a late or repeated callback would carry it. */
    const resend = async (resultCode: number) => {
      const payment = lastPayment();
      const conversationId = must(
        standIn.requests.filter((r) => r.path === '/mpesa/transactionstatus/v1/query').at(-1),
        'a status query',
      ).body.OriginalConversationID;
      return t
        .http()
        .post(new URL(String(payment.body.ResultURL)).pathname)
        .send({
          Result: {
            ResultType: 0,
            ResultCode: resultCode,
            ResultDesc: 'late',
            OriginatorConversationID: payment.body.OriginatorConversationID,
            ConversationID: conversationId,
            TransactionID: 'TLATE',
          },
        });
    };

    it('pays out once the B2C result is confirmed, once even when Daraja calls back twice', async () => {
      standIn.next('duplicate_callback');
      const res = await withdraw(50_000);
      expect([res.status, res.body.status]).toEqual([202, 'pending']);
      // The hold is placed at once.
      expect(await available()).toBe(100_000n);
      await standIn.idle();
      expect((await finished(res.body.id)).status).toBe('completed');
      expect(lastPayment().body).toMatchObject({ Amount: 500, PartyB: '254708374149' });
      // The result was a cue: the transaction status query confirmed it.
      const queries = standIn.requests.filter(
        (r) => r.path === '/mpesa/transactionstatus/v1/query',
      );
      expect(queries.length).toBeGreaterThanOrEqual(1);
      expect(await available()).toBe(100_000n);
    });

    it('a duplicate or late result for a finished withdrawal changes nothing', async () => {
      await standIn.idle();
      await t.settle();
      const before = await t.eventCount();
      expect((await resend(0)).status).toBe(200);
      expect((await resend(2001)).status).toBe(200);
      await standIn.idle();
      await t.settle();
      expect(await t.eventCount()).toBe(before);
      expect(await available()).toBe(100_000n);
    });

    it('a failed payout fails the withdrawal and releases its hold', async () => {
      standIn.next('fail');
      const res = await withdraw(30_000);
      expect(res.status).toBe(202);
      await standIn.idle();
      const movement = await finished(res.body.id);
      expect(movement.status).toBe('failed');
      expect(await available()).toBe(100_000n);
      // A result claiming success after the failure is checked, and believed no more.
      const before = await t.eventCount();
      expect((await resend(0)).status).toBe(200);
      await standIn.idle();
      await t.settle();
      expect(await t.eventCount()).toBe(before);
      expect(await available()).toBe(100_000n);
    });
  });
});
