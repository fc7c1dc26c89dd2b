import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { PinoLogger } from 'nestjs-pino';
import { bindRequestLog, logCorrelation, setCorrelationRootLogger } from './log-correlation';
import { createHttpLogger, createRootLogger } from './logging';
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

describe('the access log', () => {
  it('writes one line per request at its end: id, method, path without query, status, latency', async () => {
    const { stream, lines } = capture();
    const logger = createRootLogger(readObservabilityConfig({}, false), { destination: stream });
    const access = createHttpLogger(logger);
    // Listeners run in order: once a response's close is seen here, its access line is written.
    const closed: Array<Promise<unknown>> = [];
    const server = createServer((req, res) => {
      access(req, res, () => {
        res.statusCode = req.url === '/fail' ? 503 : 200;
        res.end();
      });
      closed.push(new Promise((resolve) => res.once('close', resolve)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = await fetch(`${base}/users/bob@example.com?email=bob@example.com`, {
        headers: { 'X-Request-Id': 'line-1' },
      });
      const failed = await fetch(`${base}/fail`);
      expect(ok.headers.get('x-request-id')).toBe('line-1');
      const failedId = failed.headers.get('x-request-id');
      await Promise.all(closed);
      const [first, second, ...more] = lines.map(
        (line) => JSON.parse(line) as Record<string, unknown>,
      );
      expect(more).toEqual([]);
      expect(first).toMatchObject({
        level: 30,
        reqId: 'line-1',
        req: { id: 'line-1', method: 'GET', url: '/users/[email]?…' },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
        msg: expect.stringMatching(/^GET \/users\/\[email\]\?… 200 \d+ms$/),
      });
      expect(second).toMatchObject({
        level: 50,
        reqId: failedId,
        res: { statusCode: 503 },
        err: { message: 'failed with status code 503' },
        msg: 'GET /fail 503',
      });
      expect(lines.join('\n')).not.toContain('bob@example.com');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the log context', () => {
  it('gives the lines of a request its reqId, and a job run within it its correlationId too', async () => {
    const { stream, lines } = capture();
    const root = createRootLogger(readObservabilityConfig({}, false), { destination: stream });
    setCorrelationRootLogger(root);
    const nest = new PinoLogger({ pinoHttp: { logger: root } });
    const req = { id: 'req-9' } as IncomingMessage;
    const seen: Array<string | undefined> = [];
    await new Promise<void>((resolve) =>
      bindRequestLog(req, {} as ServerResponse, () => {
        seen.push(logCorrelation.current());
        void Promise.resolve()
          .then(() => nest.info('in the request'))
          .then(() =>
            logCorrelation.run('job-3', async () => {
              seen.push(logCorrelation.current());
              nest.info('in the job');
            }),
          )
          .then(resolve);
      }),
    );
    nest.info('outside');
    expect(seen).toEqual(['req-9', 'job-3']);
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ reqId: 'req-9', msg: 'in the request' }),
      expect.objectContaining({ reqId: 'req-9', correlationId: 'job-3', msg: 'in the job' }),
      expect.not.objectContaining({ reqId: expect.anything() }),
    ]);
  });

  it('makes no logger for a request that logs nothing', () => {
    const root = createRootLogger(readObservabilityConfig({}, false), { level: 'silent' });
    setCorrelationRootLogger(root);
    const child = jest.spyOn(root, 'child');
    bindRequestLog({ id: 'quiet' } as IncomingMessage, {} as ServerResponse, () => {
      expect(logCorrelation.current()).toBe('quiet');
    });
    expect(child).not.toHaveBeenCalled();
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
