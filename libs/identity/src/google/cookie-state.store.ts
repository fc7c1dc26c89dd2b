import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type {
  Metadata,
  StateStore,
  StateStoreStoreCallback,
  StateStoreVerifyCallback,
} from 'passport-oauth2';

const COOKIE_NAME = 'ledger_google_state';
/** Long enough to pick an account and consent, short enough to be useless later. */
const STATE_MAX_AGE_SECONDS = 600;
const STATE_BYTES = 24;

/**
 * OAuth `state` for passport-oauth2 without server-side sessions: a random
 * value sent to Google and, in an HttpOnly cookie, to the browser. The
 * callback must bring back both and they must match, which stops an
 * attacker from completing a sign-in in someone else's browser (login CSRF).
 * SameSite=Lax because the callback is a top-level navigation from Google.
 *
 * passport-oauth2 picks the call form by arity; these take the metadata
 * form and ignore the metadata.
 */
export class CookieStateStore implements StateStore {
  constructor(private readonly secure: boolean) {}

  store(
    req: Request,
    metaOrCallback: Metadata | StateStoreStoreCallback,
    maybeCallback?: StateStoreStoreCallback,
  ): void {
    const callback = (maybeCallback ?? metaOrCallback) as StateStoreStoreCallback;
    const state = randomBytes(STATE_BYTES).toString('base64url');
    req.res?.append('Set-Cookie', this.cookie(state, STATE_MAX_AGE_SECONDS));
    callback(null, state);
  }

  verify(
    req: Request,
    provided: string,
    metaOrCallback: Metadata | StateStoreVerifyCallback,
    maybeCallback?: StateStoreVerifyCallback,
  ): void {
    const callback = (maybeCallback ?? metaOrCallback) as StateStoreVerifyCallback;
    const expected = readCookie(req.headers.cookie, COOKIE_NAME);
    // The state is single use: clear it whatever the outcome.
    req.res?.append('Set-Cookie', this.cookie('', 0));
    if (!expected || !sameText(expected, provided)) {
      callback(null, false, { message: 'OAuth state does not match' });
      return;
    }
    callback(null, true, undefined);
  }

  private cookie(value: string, maxAgeSeconds: number): string {
    const secure = this.secure ? '; Secure' : '';
    return `${COOKIE_NAME}=${value}; Max-Age=${maxAgeSeconds}; Path=/auth/google; HttpOnly; SameSite=Lax${secure}`;
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
