import { SESSION_HEADER } from './api/client';
import type { Problem } from './api/types';

/** Where Google sends the browser back to: LEDGER_GOOGLE_CALLBACK_URL names this page of the app. */
export const GOOGLE_RETURN_PATH = '/sign-in/google';

let probe: Promise<boolean> | null = null;

/**
 * Whether the server has Google sign-in configured. The API has no route
 * that says so; GET /auth/google answers a redirect to Google when it is and
 * `404 google_sign_in_not_configured` when it is not, so the app asks once
 * per load without following the redirect.
 */
export function googleConfigured(): Promise<boolean> {
  probe ??= fetch('/auth/google', { redirect: 'manual', credentials: 'same-origin' })
    .then((r) => r.type === 'opaqueredirect' || (r.status >= 300 && r.status < 400))
    .catch(() => false);
  return probe;
}

export type GoogleOutcome =
  | { kind: 'signed-in'; accessToken: string }
  | { kind: 'second-factor'; challengeToken: string }
  | { kind: 'refused'; problem: Problem | undefined; status?: number }
  | { kind: 'cancelled' };

let outcome: Promise<GoogleOutcome> | null = null;

/**
 * Completes a Google sign-in on the page Google returned to: the code and
 * state in this page's query go to GET /auth/google/callback with the state
 * cookie, which answers like a login. Each code works once, so the answer is
 * kept for the page's life (React runs effects twice in development).
 */
export function completeGoogleSignIn(search: string): Promise<GoogleOutcome> {
  outcome ??= (async (): Promise<GoogleOutcome> => {
    const query = new URLSearchParams(search);
    // The person said no at Google, or Google refused: nothing to exchange.
    if (query.has('error') || !query.has('code')) return { kind: 'cancelled' };
    try {
      const response = await fetch(`/auth/google/callback?${query.toString()}`, {
        headers: SESSION_HEADER,
        credentials: 'same-origin',
      });
      const body = (await response.json().catch(() => undefined)) as
        { accessToken?: string; twoFactorRequired?: boolean; challengeToken?: string } | undefined;
      if (!response.ok || !body)
        return { kind: 'refused', problem: body as Problem, status: response.status };
      if (body.twoFactorRequired && body.challengeToken)
        return { kind: 'second-factor', challengeToken: body.challengeToken };
      if (body.accessToken) return { kind: 'signed-in', accessToken: body.accessToken };
      return { kind: 'refused', problem: undefined, status: response.status };
    } catch {
      return { kind: 'refused', problem: undefined };
    }
  })();
  return outcome;
}
