import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply } from 'fastify';
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
/** The reply of each request the Google guard runs passport on, where the store sets its cookie. */
const replies = new WeakMap<object, FastifyReply>();

/** A request as passport hands it to the store: the one the guard gave it. */
type StoreRequest = { readonly headers: { readonly cookie?: string } };

export function replyWithStateCookie(request: object, reply: FastifyReply): void {
  replies.set(request, reply);
}

export class CookieStateStore implements StateStore {
  constructor(private readonly secure: boolean) {}

  store(
    req: StoreRequest,
    metaOrCallback: Metadata | StateStoreStoreCallback,
    maybeCallback?: StateStoreStoreCallback,
  ): void {
    const callback = (maybeCallback ?? metaOrCallback) as StateStoreStoreCallback;
    const state = randomBytes(STATE_BYTES).toString('base64url');
    replies.get(req)?.header('Set-Cookie', this.cookie(state, STATE_MAX_AGE_SECONDS));
    callback(null, state);
  }

  verify(
    req: StoreRequest,
    provided: string,
    metaOrCallback: Metadata | StateStoreVerifyCallback,
    maybeCallback?: StateStoreVerifyCallback,
  ): void {
    const callback = (maybeCallback ?? metaOrCallback) as StateStoreVerifyCallback;
    const expected = readCookie(req.headers.cookie, COOKIE_NAME);
    // The state is single use: clear it whatever the outcome.
    replies.get(req)?.header('Set-Cookie', this.cookie('', 0));
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
