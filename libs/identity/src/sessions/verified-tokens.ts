import { setBounded } from '../bounded-map';

/**
 * Access tokens whose signature, issuer, audience and claims were checked,
 * so that a client sending the same token on every request pays for one
 * HMAC check and one JSON parse, not one per request. What a token proves
 * never changes, since it is signed: only its expiry is a matter of time,
 * and it is compared at every use. Whether its session is still live is
 * not this cache's business: the access guard asks `LiveSessionCache` on
 * every request, so a logout takes effect as before.
 *
 * Bounded: past `maxEntries` the oldest entry goes, so a flood of distinct
 * tokens costs memory for at most that many.
 */
export class VerifiedTokens<Claims> {
  private readonly entries = new Map<string, { claims: Claims; exp: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token's claims, `'expired'` once its `exp` has come, or undefined when it was not verified here. */
  get(token: string): Claims | 'expired' | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    // As jsonwebtoken: expired from the second `exp` names on.
    if (Math.floor(this.now() / 1000) < entry.exp) return entry.claims;
    this.entries.delete(token);
    return 'expired';
  }

  /** Remembers a verified token until its `exp` (seconds since the epoch). */
  set(token: string, claims: Claims, exp: number): void {
    setBounded(this.entries, token, { claims, exp }, this.maxEntries);
  }
}
