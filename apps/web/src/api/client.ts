import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './openapi';

/**
 * The one way the app talks to the API: typed by the OpenAPI document the
 * service serves. The access token lives only in this module's memory, never
 * in storage a script could read later; the refresh token is an HttpOnly
 * cookie the browser sends to /auth/session/* alone.
 */
let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let onSessionLost: () => void = () => undefined;

/** The header the cookie routes require: a cross-site form cannot send it. */
export const SESSION_HEADER = { 'X-Ledger-Session': 'cookie' } as const;

export function setAccessToken(token: string | null): void {
  accessToken = token;
}

/** The bearer token for the few calls that cannot go through the typed client (the event stream). */
export function currentAccessToken(): string | null {
  return accessToken;
}

export function whenSessionLost(handler: () => void): void {
  onSessionLost = handler;
}

/** Spends the refresh cookie for a new access token; false when there is no live session. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch('/auth/session/refresh', {
    method: 'POST',
    headers: SESSION_HEADER,
    credentials: 'same-origin',
  })
    .then(async (response) => {
      if (!response.ok) return false;
      const body = (await response.json()) as { accessToken: string };
      accessToken = body.accessToken;
      return true;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (accessToken) request.headers.set('Authorization', `Bearer ${accessToken}`);
    return request;
  },
};

/** Retries once after a refresh when the access token has expired. */
async function fetchWithRefresh(input: Request): Promise<Response> {
  const retry = input.clone();
  const response = await fetch(input);
  if (response.status !== 401 || !accessToken) return response;
  const problem = (await response.clone().json()) as { error?: string; code?: string };
  if ((problem.code ?? problem.error) !== 'access_token_expired') return response;
  if (!(await refreshSession())) {
    onSessionLost();
    return response;
  }
  retry.headers.set('Authorization', `Bearer ${accessToken}`);
  return fetch(retry);
}

export const api = createClient<paths>({ baseUrl: '', fetch: fetchWithRefresh });
api.use(auth);

/** A fresh key per intent: a retried click replays the first answer instead of moving money twice. */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
