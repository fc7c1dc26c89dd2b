import { PermanentGatewayError, TransientGatewayError } from '../payment-gateway.errors';

export interface MpesaClientOptions {
  /** `https://api.safaricom.co.ke`, `https://sandbox.safaricom.co.ke`, or a stand-in. */
  readonly baseUrl: string;
  readonly consumerKey: string;
  readonly consumerSecret: string;
  /** Per request, token included. */
  readonly timeoutMs: number;
  readonly now?: () => Date;
}

/** Daraja's answer to "still processing" on the STK push query. */
export const STILL_PROCESSING = '500.001.1001';
/** Daraja's answer to an expired or revoked access token. */
const INVALID_TOKEN = '404.001.03';
/** A token is renewed this long before Daraja says it expires, so none is sent as it lapses. */
const TOKEN_MARGIN_MS = 60_000;

export class MpesaStillProcessing extends Error {
  override readonly name = 'MpesaStillProcessing';
}

/**
 * Daraja over HTTP: the OAuth client-credentials token, cached until shortly
 * before it expires, and JSON calls that carry it. A call answered "invalid
 * access token" (the token was revoked, or the clock is off) drops the cached
 * token and is sent once more with a new one. Failures are the port's errors.
 */
export class MpesaClient {
  private token?: { value: string; expiresAtMs: number };
  private readonly now: () => Date;

  constructor(private readonly options: MpesaClientOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async post(path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const first = await this.send(path, body, await this.accessToken());
    if (first.status !== 401 && first.json.errorCode !== INVALID_TOKEN) return this.answer(first);
    this.token = undefined;
    return this.answer(await this.send(path, body, await this.accessToken()));
  }

  private async accessToken(): Promise<string> {
    const nowMs = this.now().getTime();
    if (this.token && this.token.expiresAtMs > nowMs) return this.token.value;
    const basic = Buffer.from(`${this.options.consumerKey}:${this.options.consumerSecret}`);
    const res = await this.fetch('/oauth/v1/generate?grant_type=client_credentials', {
      method: 'GET',
      headers: { authorization: `Basic ${basic.toString('base64')}` },
    });
    if (res.status === 400 || res.status === 401)
      throw new PermanentGatewayError(
        'not_authorised',
        'Daraja refused the consumer key and secret',
      );
    const json = await this.answer(res);
    const expiresInS = Number(json.expires_in);
    if (typeof json.access_token !== 'string' || !Number.isFinite(expiresInS))
      throw new TransientGatewayError('provider_unavailable', 'Daraja sent no usable access token');
    const expiresAtMs = nowMs + expiresInS * 1000 - TOKEN_MARGIN_MS;
    this.token = { value: json.access_token, expiresAtMs };
    return json.access_token;
  }

  private send(path: string, body: Record<string, unknown>, token: string) {
    return this.fetch(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private async fetch(
    path: string,
    init: RequestInit,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    let res: Response;
    try {
      res = await fetch(`${this.options.baseUrl}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new TransientGatewayError(
        timedOut ? 'timeout' : 'network',
        timedOut
          ? `Daraja did not answer within ${this.options.timeoutMs} ms`
          : 'Daraja unreachable',
        { cause: error },
      );
    }
    const text = await res.text().catch(() => '');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = {};
    }
    const record =
      typeof json === 'object' && json !== null && !Array.isArray(json)
        ? (json as Record<string, unknown>)
        : {};
    return { status: res.status, json: record };
  }

  /** Maps Daraja's status and error codes onto the port's two kinds of failure. */
  private async answer(res: {
    status: number;
    json: Record<string, unknown>;
  }): Promise<Record<string, unknown>> {
    const { status, json } = res;
    const requestId = typeof json.requestId === 'string' ? json.requestId : undefined;
    const message = String(json.errorMessage ?? json.ResponseDescription ?? `HTTP ${status}`);
    if (json.errorCode === STILL_PROCESSING) throw new MpesaStillProcessing(message);
    if (status === 429)
      throw new TransientGatewayError('rate_limited', message, { providerRequestId: requestId });
    if (status >= 500)
      throw new TransientGatewayError('provider_unavailable', message, {
        providerRequestId: requestId,
      });
    if (status === 401 || status === 403)
      throw new PermanentGatewayError('not_authorised', message, { providerRequestId: requestId });
    if (status >= 400 || (json.ResponseCode !== undefined && String(json.ResponseCode) !== '0'))
      throw new PermanentGatewayError('invalid_request', message, { providerRequestId: requestId });
    return json;
  }
}
