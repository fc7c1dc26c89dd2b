import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test support: a local HTTP server of the Daraja endpoints `MpesaGateway`
 * calls, which calls back to the service as Safaricom would. What the next
 * STK push or B2C payment does is scriptable:
 * - `succeed`: paid, one callback;
 * - `fail`: refused on the phone (ResultCode 1032), one callback;
 * - `no_callback`: paid, but the callback never comes (the status query knows);
 * - `duplicate_callback`: paid, the same callback twice;
 * - `pending`: the customer never answers; the query says "still processing".
 * `expireTokens()` revokes every token issued, as an expiry would.
 */
export type MpesaStandInOutcome =
  'succeed' | 'fail' | 'no_callback' | 'duplicate_callback' | 'pending';

export const MPESA_STAND_IN_CREDENTIALS = {
  consumerKey: 'stand-in-key',
  consumerSecret: 'stand-in-secret',
};

interface Transaction {
  readonly id: string;
  readonly amount: number;
  readonly msisdn: string;
  readonly callbackUrl: string;
  state: 'pending' | 'paid' | 'failed';
}

const MAX_BODY_BYTES = 64 * 1024;
const CALLBACK_DELAY_MS = 100;

export class MpesaStandIn {
  /** Every request's path, for assertions on what the adapter sent. */
  readonly requests: Array<{ path: string; body: Record<string, unknown> }> = [];
  readonly tokensIssued: string[] = [];
  private readonly server: Server;
  private readonly tokens = new Set<string>();
  private readonly pushes = new Map<string, Transaction>();
  private readonly payouts = new Map<string, Transaction>();
  private readonly originators = new Map<string, string>();
  private readonly script: MpesaStandInOutcome[] = [];
  private readonly deliveries = new Set<Promise<void>>();
  private sequence = 0;

  private constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => send(res, 500, { errorMessage: 'Stand-in failure' }));
    });
  }

  static async start(): Promise<MpesaStandIn> {
    const standIn = new MpesaStandIn();
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next STK pushes and B2C payments, in order, end this way. */
  next(...outcomes: MpesaStandInOutcome[]): void {
    this.script.push(...outcomes);
  }

  expireTokens(): void {
    this.tokens.clear();
  }

  /** Resolves once every callback sent so far has been answered (or failed). */
  async idle(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  async close(): Promise<void> {
    await this.idle();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (req.method === 'GET' && url.pathname === '/oauth/v1/generate') return this.oauth(req, res);
    const body = await readJson(req);
    this.requests.push({ path: url.pathname, body });
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !this.tokens.has(bearer))
      return send(res, 401, { errorCode: '404.001.03', errorMessage: 'Invalid Access Token' });
    switch (url.pathname) {
      case '/mpesa/stkpush/v1/processrequest':
        return send(res, 200, this.stkPush(body));
      case '/mpesa/stkpushquery/v1/query':
        return this.stkQuery(body, res);
      case '/mpesa/b2c/v3/paymentrequest':
        return send(res, 200, this.b2c(body));
      case '/mpesa/transactionstatus/v1/query':
        return send(res, 200, this.statusQuery(body));
      default:
        return send(res, 404, { errorCode: '404.001.01', errorMessage: 'Resource not found' });
    }
  }

  private oauth(req: IncomingMessage, res: ServerResponse): void {
    const { consumerKey, consumerSecret } = MPESA_STAND_IN_CREDENTIALS;
    const expected = `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}`;
    if (req.headers.authorization !== expected)
      return send(res, 400, { errorMessage: 'Invalid credentials' });
    const token = randomBytes(12).toString('hex');
    this.tokens.add(token);
    this.tokensIssued.push(token);
    send(res, 200, { access_token: token, expires_in: '3599' });
  }

  private stkPush(body: Record<string, unknown>) {
    const id = `ws_CO_${++this.sequence}`;
    const push = this.transaction(id, body.Amount, body.PhoneNumber, body.CallBackURL);
    this.pushes.set(id, push);
    this.settle(push, (p) => ({
      Body: {
        stkCallback: {
          MerchantRequestID: `mr_${id}`,
          CheckoutRequestID: p.id,
          ResultCode: p.state === 'paid' ? 0 : 1032,
          ResultDesc:
            p.state === 'paid'
              ? 'The service request is processed successfully.'
              : 'Request cancelled by user',
          ...(p.state === 'paid' && {
            CallbackMetadata: {
              Item: [
                { Name: 'Amount', Value: p.amount },
                { Name: 'MpesaReceiptNumber', Value: `R${p.id}` },
                { Name: 'PhoneNumber', Value: Number(p.msisdn) },
              ],
            },
          }),
        },
      },
    }));
    return {
      MerchantRequestID: `mr_${id}`,
      CheckoutRequestID: id,
      ResponseCode: '0',
      ResponseDescription: 'Success. Request accepted for processing',
      CustomerMessage: 'Success. Request accepted for processing',
    };
  }

  private stkQuery(body: Record<string, unknown>, res: ServerResponse): void {
    const push = this.pushes.get(String(body.CheckoutRequestID));
    if (!push)
      return send(res, 400, { errorCode: '400.002.02', errorMessage: 'Invalid CheckoutRequestID' });
    if (push.state === 'pending')
      return send(res, 500, {
        errorCode: '500.001.1001',
        errorMessage: 'The transaction is being processed',
      });
    send(res, 200, {
      ResponseCode: '0',
      ResponseDescription: 'The service request has been accepted successsfully',
      CheckoutRequestID: push.id,
      ResultCode: push.state === 'paid' ? '0' : '1032',
      ResultDesc:
        push.state === 'paid'
          ? 'The service request is processed successfully.'
          : 'Request cancelled by user',
    });
  }

  /** The same OriginatorConversationID is the same payment: the first answer, no second payment. */
  private b2c(body: Record<string, unknown>) {
    const originator = String(body.OriginatorConversationID);
    const known = this.originators.get(originator);
    const id = known ?? `AG_${++this.sequence}`;
    if (!known) {
      this.originators.set(originator, id);
      const payout = this.transaction(id, body.Amount, body.PartyB, body.ResultURL);
      this.payouts.set(id, payout);
      this.settle(payout, (p) => ({
        Result: {
          ResultType: 0,
          ResultCode: p.state === 'paid' ? 0 : 2001,
          ResultDesc: p.state,
          OriginatorConversationID: originator,
          ConversationID: p.id,
          TransactionID: `T${p.id}`,
        },
      }));
    }
    return {
      ConversationID: id,
      OriginatorConversationID: originator,
      ResponseCode: '0',
      ResponseDescription: 'Accept the service request successfully.',
    };
  }

  /** Acknowledged at once; the answer goes to the ResultURL, naming the payment in Occasion. */
  private statusQuery(body: Record<string, unknown>) {
    const payout = this.payouts.get(String(body.OriginalConversationID));
    const status = !payout
      ? undefined
      : payout.state === 'paid'
        ? 'Completed'
        : payout.state === 'failed'
          ? 'Failed'
          : 'Pending';
    this.deliver(String(body.ResultURL), {
      Result: {
        ResultType: 0,
        ResultCode: payout ? 0 : 2001,
        ResultDesc: payout
          ? 'The service request is processed successfully.'
          : 'No such transaction',
        ConversationID: `AG_Q${++this.sequence}`,
        ...(status && {
          ResultParameters: { ResultParameter: [{ Key: 'TransactionStatus', Value: status }] },
        }),
        ReferenceData: { ReferenceItem: { Key: 'Occasion', Value: String(body.Occasion) } },
      },
    });
    return {
      ConversationID: `AG_Q${this.sequence}`,
      ResponseCode: '0',
      ResponseDescription: 'Accept the service request successfully.',
    };
  }

  private transaction(
    id: string,
    amount: unknown,
    msisdn: unknown,
    callbackUrl: unknown,
  ): Transaction {
    return {
      id,
      amount: Number(amount),
      msisdn: String(msisdn),
      callbackUrl: String(callbackUrl),
      state: 'pending',
    };
  }

  /** Ends the transaction as scripted and calls back (or not), after this answer has gone out. */
  private settle(t: Transaction, callback: (t: Transaction) => unknown): void {
    const outcome = this.script.shift() ?? 'succeed';
    if (outcome === 'pending') return;
    t.state = outcome === 'fail' ? 'failed' : 'paid';
    if (outcome === 'no_callback') return;
    // A customer takes a moment to enter the PIN; the service has recorded the request by then.
    const pending: Promise<void> = new Promise<void>((resolve) =>
      setTimeout(() => {
        this.deliver(t.callbackUrl, callback(t));
        if (outcome === 'duplicate_callback') this.deliver(t.callbackUrl, callback(t));
        resolve();
      }, CALLBACK_DELAY_MS),
    ).finally(() => this.deliveries.delete(pending));
    this.deliveries.add(pending);
  }

  private deliver(url: string, body: unknown): void {
    const delivery = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const parsed: unknown = text ? JSON.parse(text) : {};
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
