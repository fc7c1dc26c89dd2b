/* eslint-disable max-lines -- one fake Stripe server whose routes share one in-memory state and
   one idempotency table. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test support: a local HTTP server that answers the few Stripe endpoints the
 * gateway uses, closely enough for the real SDK to talk to it. It honours
 * `Idempotency-Key` as Stripe does (same key and same parameters: the first
 * response again and no second object; same key, other parameters: 400
 * `idempotency_error`) and can be told to fail the next requests.
 */
export type StandInFault =
  /** 500, executed nothing; a retry with the same key runs for real. */
  | { readonly kind: 'server_error' }
  /** 429 with Retry-After; executed nothing. */
  | { readonly kind: 'rate_limited' }
  /** 402 card_declined; recorded against the key, as Stripe does, so a retry gets it again. */
  | { readonly kind: 'card_declined' }
  /** Executes and records the response, then drops the connection: the ambiguous case. */
  | { readonly kind: 'drop_response' }
  /** Executes and records the response, then answers only after `delayMs`: a slow provider. */
  | { readonly kind: 'delay_response'; readonly delayMs: number };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey?: string;
  readonly stripeAccount?: string;
  readonly params: Record<string, unknown>;
}

interface StoredResponse {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: unknown;
}

type StripeObject = Record<string, unknown> & { id: string; object: string };

const MAX_BODY_BYTES = 64 * 1024;
const MAX_RECORDED_REQUESTS = 10_000;

export class StripeStandIn {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly objects = new Map<string, StripeObject>();
  private readonly idempotent = new Map<string, StoredResponse>();
  private readonly faults: Array<{ path?: string; fault: StandInFault }> = [];
  private sequence = 0;
  /** The balance transactions, oldest first, as Stripe books them. */
  private readonly balance: StripeObject[] = [];

  private constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => send(res, 500, error('api_error', 'Stand-in failure')));
    });
  }

  static async start(): Promise<StripeStandIn> {
    const standIn = new StripeStandIn();
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  /** Where to point `StripeGatewayOptions.api`. */
  get api(): { host: string; port: number; protocol: 'http' } {
    return {
      host: '127.0.0.1',
      port: (this.server.address() as AddressInfo).port,
      protocol: 'http',
    };
  }

  /** The next matching request (any path when `path` is omitted) fails this way, once. */
  failNext(fault: StandInFault, path?: string): void {
    this.faults.push({ path, fault });
  }

  /** Links a card to a customer, as a completed SetupIntent would. */
  addCard(customer: string, card: { brand: string; last4: string }): string {
    const id = this.nextId('pm');
    this.objects.set(id, {
      id,
      object: 'payment_method',
      type: 'card',
      customer,
      card: { brand: card.brand, last4: card.last4, exp_month: 12, exp_year: 2030 },
    });
    return id;
  }

  /**
   * Completes a SetupIntent as Stripe.js's confirmCardSetup would: a new card
   * attached to the intent's customer, and the intent succeeded with it.
   * Returns the card's id.
   */
  succeedSetupIntent(id: string, card: { brand: string; last4: string }): string {
    const intent = this.objects.get(id);
    if (intent?.object !== 'setup_intent') throw new RangeError(`Unknown stand-in setup ${id}`);
    const paymentMethod = this.addCard(String(intent.customer), card);
    intent.status = 'succeeded';
    intent.payment_method = paymentMethod;
    return paymentMethod;
  }

  /** Moves a payout on, as the banking network would: a paid (or in-transit) payout can no longer be canceled. */
  settlePayout(id: string, status: 'in_transit' | 'paid' | 'failed'): void {
    const payout = this.objects.get(id);
    if (payout?.object !== 'payout') throw new RangeError(`Unknown stand-in payout ${id}`);
    payout.status = status;
    if (status === 'failed') payout.failure_code = 'account_closed';
  }

  /**
   * Completes a payment intent as the customer's browser would, booking its
   * charge as a balance transaction.
   */
  succeedPaymentIntent(id: string): void {
    const intent = this.objects.get(id);
    if (intent?.object !== 'payment_intent') throw new RangeError(`Unknown stand-in intent ${id}`);
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    this.bookCharge(intent);
  }

  /** Test support: a stored object as Stripe holds it, e.g. for a webhook's `data.object`. */
  object(id: string): Readonly<Record<string, unknown>> | undefined {
    const found = this.objects.get(id);
    return found && { ...found };
  }

  /** Test support: the object of this kind created last (`payment_intent`, `setup_intent`). */
  latest(kind: string): Readonly<Record<string, unknown>> | undefined {
    const found = [...this.objects.values()].filter((o) => o.object === kind).at(-1);
    return found && { ...found };
  }

  /** Test support: a balance transaction the ledger knows nothing of, or one booked differently. */
  plantBalanceTransaction(txn: {
    type: 'charge' | 'refund' | 'payout';
    sourceId: string;
    amount: number;
    currency: string;
    created?: number;
  }): void {
    const source =
      txn.type === 'charge'
        ? {
            id: this.nextId('ch'),
            object: 'charge',
            payment_intent: txn.sourceId,
            status: 'succeeded',
          }
        : {
            id: txn.sourceId,
            object: txn.type,
            status: txn.type === 'payout' ? 'paid' : 'succeeded',
          };
    this.book(
      txn.type,
      txn.type === 'charge' ? txn.amount : -txn.amount,
      txn.currency,
      source,
      txn.created,
    );
  }

  /** Test support: changes the amount Stripe booked for an object (by the source's or its intent's id). */
  alterBalanceTransaction(objectId: string, amount: number): void {
    const txn = this.balance.find((t) => {
      const source = t.source as Record<string, unknown>;
      return source.id === objectId || source.payment_intent === objectId;
    });
    if (!txn) throw new RangeError(`No balance transaction for ${objectId}`);
    txn.amount = Math.sign(Number(txn.amount)) * amount;
  }

  payoutStatus(id: string): unknown {
    return this.objects.get(id)?.status;
  }

  count(object: string): number {
    return [...this.objects.values()].filter((o) => o.object === object).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const params = parseForm(req.method === 'GET' ? url.search.slice(1) : await readBody(req));
    const idempotencyKey = header(req, 'idempotency-key');
    const stripeAccount = header(req, 'stripe-account');
    if (this.requests.length < MAX_RECORDED_REQUESTS) {
      this.requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        idempotencyKey,
        stripeAccount,
        params,
      });
    }
    if (!/^Bearer sk_/.test(header(req, 'authorization') ?? '')) {
      return send(res, 401, error('invalid_request_error', 'Invalid API Key provided'));
    }
    const fault = this.takeFault(url.pathname);
    if (fault?.kind === 'server_error')
      return send(res, 500, error('api_error', 'Injected server error'));
    if (fault?.kind === 'rate_limited')
      return send(res, 429, error('invalid_request_error', 'Too many requests', 'rate_limit'), {
        'Retry-After': '1',
      });

    const scope = `${stripeAccount ?? 'platform'}:${idempotencyKey}`;
    const fingerprint = `${req.method} ${url.pathname} ${JSON.stringify(params)}`;
    const stored = idempotencyKey ? this.idempotent.get(scope) : undefined;
    if (stored && stored.fingerprint !== fingerprint) {
      return send(res, 400, {
        error: {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with.`,
        },
      });
    }
    const response = stored ?? {
      fingerprint,
      ...this.execute(req.method ?? 'GET', url.pathname, params, fault),
    };
    if (idempotencyKey && req.method === 'POST') this.idempotent.set(scope, response);
    if (fault?.kind === 'drop_response') return void res.socket?.destroy();
    if (fault?.kind === 'delay_response')
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
    if (res.destroyed) return;
    return send(
      res,
      response.status,
      response.body,
      stored ? { 'Idempotent-Replayed': 'true' } : {},
    );
  }

  private takeFault(path: string): StandInFault | undefined {
    const index = this.faults.findIndex((f) => f.path === undefined || f.path === path);
    return index < 0 ? undefined : this.faults.splice(index, 1)[0]?.fault;
  }

  private execute(
    method: string,
    path: string,
    params: Record<string, unknown>,
    fault?: StandInFault,
  ): { status: number; body: unknown } {
    if (fault?.kind === 'card_declined') {
      return {
        status: 402,
        body: error('card_error', 'Your card was declined.', 'card_declined', 'generic_decline'),
      };
    }
    if (method === 'POST' && path === '/v1/customers')
      return this.created({
        id: this.nextId('cus'),
        object: 'customer',
        metadata: params.metadata ?? {},
      });
    if (method === 'POST' && path === '/v1/payment_intents') return this.chargeIntent(params);
    if (method === 'POST' && path === '/v1/refunds') return this.refund(params);
    if (method === 'POST' && path === '/v1/payouts') {
      const payout = this.payout(params);
      this.book('payout', -Number(payout.amount), String(payout.currency), payout);
      return this.created(payout);
    }
    const retrieve = /^\/v1\/payouts\/([^/]+)$/.exec(path);
    if (method === 'GET' && retrieve?.[1]) return this.retrieve('payout', retrieve[1]);
    const cancel = /^\/v1\/payouts\/([^/]+)\/cancel$/.exec(path);
    if (method === 'POST' && cancel?.[1]) return this.cancelPayout(cancel[1]);
    if (method === 'POST' && path === '/v1/setup_intents')
      return this.created(this.setupIntent(params));
    const setup = /^\/v1\/setup_intents\/([^/]+)$/.exec(path);
    if (method === 'GET' && setup?.[1]) return this.retrieve('setup_intent', setup[1]);
    if (method === 'GET' && path === '/v1/balance_transactions')
      return { status: 200, body: this.listBalance(params) };
    if (method === 'GET' && path === '/v1/payment_methods')
      return { status: 200, body: this.listCards(params) };
    const detach = /^\/v1\/payment_methods\/([^/]+)\/detach$/.exec(path);
    if (method === 'POST' && detach?.[1]) return this.detach(detach[1]);
    return {
      status: 404,
      body: error('invalid_request_error', `Unrecognized request URL (${method}: ${path})`),
    };
  }

  private created(object: StripeObject): { status: number; body: unknown } {
    this.objects.set(object.id, object);
    return { status: 200, body: object };
  }

  /** Stripe charges a saved card only for the customer it is attached to; anything else is a 400. */
  private chargeIntent(params: Record<string, unknown>): { status: number; body: unknown } {
    if (params.payment_method !== undefined) {
      const card = this.objects.get(String(params.payment_method));
      if (card?.object !== 'payment_method')
        return {
          status: 400,
          body: error(
            'invalid_request_error',
            `No such PaymentMethod: '${String(params.payment_method)}'`,
            'resource_missing',
          ),
        };
      if (card.customer !== params.customer)
        return {
          status: 400,
          body: error(
            'invalid_request_error',
            'The provided PaymentMethod belongs to another Customer.',
          ),
        };
    }
    const intent = this.paymentIntent(params);
    if (intent.status === 'succeeded') this.bookCharge(intent);
    return this.created(intent);
  }

  private bookCharge(intent: StripeObject): void {
    const charge = {
      id: this.nextId('ch'),
      object: 'charge',
      payment_intent: intent.id,
      status: 'succeeded',
    };
    this.book('charge', Number(intent.amount), String(intent.currency), charge);
  }

  private book(
    type: string,
    amount: number,
    currency: string,
    source: Record<string, unknown>,
    created = Math.floor(Date.now() / 1000),
  ): void {
    this.balance.push({
      id: this.nextId('txn'),
      object: 'balance_transaction',
      type,
      amount,
      currency: currency.toLowerCase(),
      created,
      // The gateway asks for the source expanded; the stand-in always sends it so.
      source,
    });
  }

  /** `created[gte]`, `created[lt]`, `limit` and `starting_after`, newest first as Stripe lists. */
  private listBalance(params: Record<string, unknown>): unknown {
    const created = (params.created ?? {}) as Record<string, string>;
    const gte = created.gte === undefined ? -Infinity : Number(created.gte);
    const lt = created.lt === undefined ? Infinity : Number(created.lt);
    let matching = this.balance
      .filter((t) => Number(t.created) >= gte && Number(t.created) < lt)
      .reverse();
    if (params.starting_after !== undefined) {
      const index = matching.findIndex((t) => t.id === params.starting_after);
      matching = matching.slice(index + 1);
    }
    const limit = Number(params.limit ?? 10);
    return {
      object: 'list',
      data: matching.slice(0, limit),
      has_more: matching.length > limit,
      url: '/v1/balance_transactions',
    };
  }

  private paymentIntent(params: Record<string, unknown>): StripeObject {
    const id = this.nextId('pi');
    const confirmed = params.confirm === 'true';
    const amount = Number(params.amount);
    return {
      id,
      object: 'payment_intent',
      amount,
      amount_received: confirmed ? amount : 0,
      currency: params.currency,
      customer: params.customer,
      payment_method: params.payment_method ?? null,
      client_secret: `${id}_secret_standin`,
      status: confirmed ? 'succeeded' : 'requires_payment_method',
      metadata: params.metadata ?? {},
    };
  }

  private refund(params: Record<string, unknown>): { status: number; body: unknown } {
    const intent = this.objects.get(String(params.payment_intent));
    if (!intent || intent.object !== 'payment_intent') {
      return {
        status: 400,
        body: error(
          'invalid_request_error',
          `No such payment_intent: '${params.payment_intent}'`,
          'resource_missing',
        ),
      };
    }
    const refund = {
      id: this.nextId('re'),
      object: 'refund',
      amount: Number(params.amount ?? intent.amount),
      currency: intent.currency,
      payment_intent: intent.id,
      status: 'succeeded',
      metadata: params.metadata ?? {},
    };
    this.book('refund', -refund.amount, String(refund.currency), refund);
    return this.created(refund);
  }

  private payout(params: Record<string, unknown>): StripeObject {
    return {
      id: this.nextId('po'),
      object: 'payout',
      amount: Number(params.amount),
      currency: params.currency,
      destination: params.destination ?? null,
      status: 'pending',
      created: Math.floor(Date.now() / 1000),
      arrival_date: null,
      failure_code: null,
      failure_message: null,
      metadata: params.metadata ?? {},
    };
  }

  /** An object of this kind by id, or Stripe's 404 resource_missing. */
  private retrieve(kind: string, id: string): { status: number; body: unknown } {
    const object = this.objects.get(id);
    if (object?.object !== kind)
      return {
        status: 404,
        body: error('invalid_request_error', `No such ${kind}: '${id}'`, 'resource_missing'),
      };
    return { status: 200, body: object };
  }

  /** Stripe cancels only a pending payout; anything further along is a 400 invalid_request. */
  private cancelPayout(id: string): { status: number; body: unknown } {
    const payout = this.objects.get(id);
    if (payout?.object !== 'payout')
      return {
        status: 404,
        body: error('invalid_request_error', `No such payout: '${id}'`, 'resource_missing'),
      };
    if (payout.status !== 'pending')
      return {
        status: 400,
        body: error(
          'invalid_request_error',
          `Payouts can only be canceled while they are pending; this one is ${String(payout.status)}.`,
        ),
      };
    payout.status = 'canceled';
    return { status: 200, body: payout };
  }

  private setupIntent(params: Record<string, unknown>): StripeObject {
    const id = this.nextId('seti');
    return {
      id,
      object: 'setup_intent',
      customer: params.customer,
      client_secret: `${id}_secret_standin`,
      status: 'requires_payment_method',
      payment_method: null,
      usage: params.usage,
      metadata: params.metadata ?? {},
    };
  }

  private listCards(params: Record<string, unknown>): unknown {
    const data = [...this.objects.values()].filter(
      (o) => o.object === 'payment_method' && o.customer === params.customer,
    );
    return {
      object: 'list',
      data: data.slice(0, Number(params.limit ?? 10)),
      has_more: false,
      url: '/v1/payment_methods',
    };
  }

  private detach(id: string): { status: number; body: unknown } {
    const method = this.objects.get(id);
    if (!method)
      return {
        status: 404,
        body: error('invalid_request_error', `No such PaymentMethod: '${id}'`, 'resource_missing'),
      };
    method.customer = null;
    return { status: 200, body: method };
  }

  private nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}_standin_${this.sequence}`;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_BODY_BYTES) throw new Error('Stand-in request body too large');
  }
  return body;
}

/** Stripe's form encoding: `metadata[k]=v` and `a[b]=c` nest one level, which is all the gateway sends. */
function parseForm(body: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const [, outer, inner] = /^([^[]+)\[([^\]]+)\]$/.exec(key) ?? [];
    if (outer === undefined || inner === undefined) {
      params[key] = value;
      continue;
    }
    const parent = (params[outer] ??= {}) as Record<string, string>;
    parent[inner] = value;
  }
  return params;
}

function error(type: string, message: string, code?: string, declineCode?: string): unknown {
  return { error: { type, message, code, decline_code: declineCode } };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Request-Id': `req_standin_${Date.now()}`,
    ...headers,
  });
  res.end(JSON.stringify(body));
}
