import { JwtService } from '@nestjs/jwt';
import type { IdentityConfig } from '../identity.config';
import { TokenService } from './token.service';
import { VerifiedTokens } from './verified-tokens';

describe('VerifiedTokens', () => {
  it('serves a token until the second its exp names, then says it expired and forgets it', () => {
    let now = 99_999;
    const tokens = new VerifiedTokens<string>(10, () => now);
    tokens.set('t', 'claims', 100);
    expect(tokens.get('t')).toBe('claims');
    now = 100_000;
    expect(tokens.get('t')).toBe('expired');
    expect(tokens.get('t')).toBeUndefined();
  });

  it('keeps at most maxEntries tokens, dropping the oldest', () => {
    const tokens = new VerifiedTokens<string>(2, () => 0);
    tokens.set('a', 'A', 10);
    tokens.set('b', 'B', 10);
    tokens.set('c', 'C', 10);
    expect([tokens.get('a'), tokens.get('b'), tokens.get('c')]).toEqual([undefined, 'B', 'C']);
  });
});

describe('TokenService.verifyAccess', () => {
  const config = { accessTokenTtlSeconds: 60, jwtAudience: 'ledger' } as IdentityConfig;
  const jwtOf = (secret: string) =>
    new JwtService({
      secret,
      signOptions: { algorithm: 'HS256', issuer: 'ledger', audience: 'ledger' },
      verifyOptions: { algorithms: ['HS256'], issuer: 'ledger', audience: 'ledger' },
    });
  const claims = { userId: 'u-1', sessionId: 's-1' };

  // jsonwebtoken and the cache both read the time from Date.now.
  let now = Date.parse('2026-01-01T00:00:00Z');
  beforeEach(() => jest.spyOn(Date, 'now').mockImplementation(() => now));
  afterEach(() => jest.restoreAllMocks());

  it('checks a token once, answers the same for it every time, and expired once its minute is up', async () => {
    const jwt = jwtOf('a-secret-of-some-length');
    const checks = jest.spyOn(jwt, 'verifyAsync');
    const tokens = new TokenService(jwt, config);
    const token = await tokens.issueAccess(claims);
    expect(await tokens.verifyAccess(token)).toEqual(claims);
    expect(await tokens.verifyAccess(token)).toEqual(claims);
    expect(checks).toHaveBeenCalledTimes(1);
    now += 59_999;
    expect(await tokens.verifyAccess(token)).toEqual(claims);
    now += 1;
    expect(await tokens.verifyAccess(token)).toBe('access_token_expired');
    expect(await tokens.verifyAccess(token)).toBe('access_token_expired');
  });

  it('never lets a token signed with another key in, however often it is offered', async () => {
    const forged = await new TokenService(jwtOf('another-secret-entirely'), config).issueAccess(
      claims,
    );
    const tokens = new TokenService(jwtOf('a-secret-of-some-length'), config);
    expect(await tokens.verifyAccess(forged)).toBe('access_token_invalid');
    expect(await tokens.verifyAccess(forged)).toBe('access_token_invalid');
  });
});
