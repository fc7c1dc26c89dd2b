import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import { VerifiedTokens } from './verified-tokens';

export interface AccessClaims {
  readonly userId: string;
  readonly sessionId: string;
}

export type AccessTokenProblem = 'access_token_expired' | 'access_token_invalid';

export interface ChallengeClaims {
  readonly userId: string;
  readonly method: 'password' | 'google';
}

/** A second-factor challenge outlives typing a code from a phone, and little more. */
export const CHALLENGE_TTL_SECONDS = 300;

interface AccessPayload {
  sub: string;
  sid: string;
  typ: 'access';
}

/** Distinct access tokens remembered as verified: more than the live sessions of a busy process. */
const VERIFIED_TOKENS = 10_000;

interface ChallengePayload {
  sub: string;
  typ: '2fa_challenge';
  mth: 'password' | 'google';
}

/**
 * Signs and checks JWTs (HS256, issuer and audience pinned). A challenge
 * token has its own audience and type, so it can never pass as an access
 * token however a caller confuses the two.
 */
@Injectable()
export class TokenService {
  private readonly verified = new VerifiedTokens<AccessClaims>(VERIFIED_TOKENS);

  constructor(
    private readonly jwt: JwtService,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  issueAccess(claims: AccessClaims): Promise<string> {
    const payload: AccessPayload = { sub: claims.userId, sid: claims.sessionId, typ: 'access' };
    return this.jwt.signAsync(payload, { expiresIn: this.config.accessTokenTtlSeconds });
  }

  async verifyAccess(token: string): Promise<AccessClaims | AccessTokenProblem> {
    const known = this.verified.get(token);
    if (known === 'expired') return 'access_token_expired';
    if (known) return known;
    try {
      const payload = await this.jwt.verifyAsync<Partial<AccessPayload & { exp: number }>>(token);
      if (
        payload.typ !== 'access' ||
        typeof payload.sub !== 'string' ||
        typeof payload.sid !== 'string'
      ) {
        return 'access_token_invalid';
      }
      const claims = { userId: payload.sub, sessionId: payload.sid };
      // Every access token this service signs has an expiry; one without is verified each time.
      if (typeof payload.exp === 'number') this.verified.set(token, claims, payload.exp);
      return claims;
    } catch (error) {
      return (error as Error).name === 'TokenExpiredError'
        ? 'access_token_expired'
        : 'access_token_invalid';
    }
  }

  issueChallenge(claims: ChallengeClaims): Promise<string> {
    const payload: ChallengePayload = {
      sub: claims.userId,
      typ: '2fa_challenge',
      mth: claims.method,
    };
    return this.jwt.signAsync(payload, {
      expiresIn: CHALLENGE_TTL_SECONDS,
      audience: this.challengeAudience(),
    });
  }

  async verifyChallenge(token: string): Promise<ChallengeClaims | 'challenge_invalid'> {
    try {
      const payload = await this.jwt.verifyAsync<Partial<ChallengePayload>>(token, {
        audience: this.challengeAudience(),
      });
      if (payload.typ !== '2fa_challenge' || typeof payload.sub !== 'string')
        return 'challenge_invalid';
      return { userId: payload.sub, method: payload.mth === 'google' ? 'google' : 'password' };
    } catch {
      return 'challenge_invalid';
    }
  }

  private challengeAudience(): string {
    return `${this.config.jwtAudience}/2fa-challenge`;
  }
}
