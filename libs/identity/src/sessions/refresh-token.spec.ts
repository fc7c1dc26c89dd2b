import {
  formatRefreshToken,
  hashRefreshSecret,
  newRefreshToken,
  parseRefreshToken,
  secretMatches,
} from './refresh-token';

describe('refresh tokens', () => {
  it('round-trips through text', () => {
    const token = newRefreshToken();
    expect(parseRefreshToken(formatRefreshToken(token))).toEqual(token);
  });
  it.each([
    '',
    'abc',
    `${newRefreshToken().id}.short`,
    `not-a-uuid.${'a'.repeat(43)}`,
    `${formatRefreshToken(newRefreshToken())}x`,
  ])('refuses %p', (text) => expect(parseRefreshToken(text)).toBeUndefined());
  it('matches only its own secret', () => {
    const a = newRefreshToken();
    const b = newRefreshToken();
    expect(secretMatches(a.secret, hashRefreshSecret(a.secret))).toBe(true);
    expect(secretMatches(b.secret, hashRefreshSecret(a.secret))).toBe(false);
  });
});
