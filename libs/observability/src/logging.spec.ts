import { Writable } from 'node:stream';
import { createRootLogger } from './logging';
import { readObservabilityConfig } from './observability.config';
import { scrub, scrubUrl } from './redaction';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

describe('log redaction', () => {
  it('scrubs addresses, tokens, card and phone numbers from free text', () => {
    const text =
      'mail to alice.b+x@example.co.uk failed; Authorization: Bearer abc.def-ghi ' +
      'jwt eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl card 4242 4242 4242 4242 phone +44 20 7946 0958';
    const out = scrub(text);
    expect(out).toBe(
      'mail to [email] failed; Authorization: Bearer [redacted] ' +
        'jwt [token] card [card] phone [phone]',
    );
  });

  it('leaves amounts, ids and positions alone', () => {
    const text = 'transfer 12345 EUR wallet w-42 at position 812.4521';
    expect(scrub(text)).toBe(text);
  });

  it('drops query strings from URLs', () => {
    expect(scrubUrl('/wallets?email=a@b.io&token=x')).toBe('/wallets?…');
    expect(scrubUrl('/users/a@b.io')).toBe('/users/[email]');
  });

  it('removes personal fields and scrubs messages in what the logger writes', () => {
    const { stream, lines } = capture();
    const logger = createRootLogger(readObservabilityConfig({}, false), { destination: stream });
    logger.info({ email: 'bob@example.com', user: { phone: '+33 1 23 45 67 89' } }, 'signed up');
    logger.warn('login failed for bob@example.com');
    logger.error(new Error('connect to bob@example.com refused'));
    const all = lines.join('\n');
    expect(lines).toHaveLength(3);
    expect(all).not.toContain('bob@example.com');
    expect(all).not.toContain('45 67 89');
    const [signedUp = '', loginFailed = '', refused = ''] = lines;
    expect(JSON.parse(signedUp)).toMatchObject({ email: '[redacted]', msg: 'signed up' });
    expect(JSON.parse(loginFailed).msg).toBe('login failed for [email]');
    expect(JSON.parse(refused).err.message).toBe('connect to [email] refused');
  });
});

describe('observability configuration', () => {
  it('writes pretty lines only in development on a terminal', () => {
    expect(readObservabilityConfig({ LOG_FORMAT: 'pretty' }, true).logPretty).toBe(true);
    expect(readObservabilityConfig({ LOG_FORMAT: 'pretty' }, false).logPretty).toBe(false);
    expect(readObservabilityConfig({}, true).logPretty).toBe(false);
    expect(() =>
      readObservabilityConfig({ LOG_FORMAT: 'pretty', NODE_ENV: 'production' }, true),
    ).toThrow('LOG_FORMAT=pretty is for development');
  });

  it('refuses a short metrics token and a bad lag bound', () => {
    expect(() => readObservabilityConfig({ METRICS_TOKEN: 'short' })).toThrow(
      'METRICS_TOKEN must be at least 16 characters',
    );
    expect(() => readObservabilityConfig({ HEALTH_MAX_PROJECTION_LAG_SECONDS: '-1' })).toThrow(
      'HEALTH_MAX_PROJECTION_LAG_SECONDS must be a whole number',
    );
  });
});
