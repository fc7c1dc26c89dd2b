import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfiguredRateProvider } from './fx-rate';
import { HttpRateProvider } from './http-rate-provider';

/** A local rate provider whose table the test changes, counting requests. */
class RateServer {
  body: unknown = {
    base: 'EUR',
    date: '2026-03-02',
    source: 'ECB',
    rates: { USD: 1.0812, KES: '139.5' },
  };
  status = 200;
  requests = 0;
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((_req, res) => {
      this.requests++;
      res
        .writeHead(this.status, { 'content-type': 'application/json' })
        .end(JSON.stringify(this.body));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/latest`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('HttpRateProvider', () => {
  let server: RateServer;
  let url: string;
  let now: Date;
  const fallback = new ConfiguredRateProvider('EUR/USD=1.05');
  const provider = (maxAgeMs = 2 * 86_400_000) =>
    new HttpRateProvider({
      url,
      refreshMs: 60_000,
      maxAgeMs,
      fallback,
      now: () => now,
      onError: () => undefined,
    });

  beforeEach(async () => {
    server = new RateServer();
    url = await server.start();
    now = new Date('2026-03-02T18:00:00Z');
  });
  afterEach(() => server.close());

  it('quotes from the cached table with its source and date, and crosses through the base', async () => {
    const rates = provider();
    expect(await rates.quote('EUR', 'USD')).toEqual({
      from: 'EUR',
      to: 'USD',
      rate: '1.0812',
      source: 'ECB',
      asOf: '2026-03-02T00:00:00.000Z',
    });
    // KES per USD = 139.5 / 1.0812, cut (not rounded) to 12 decimals.
    expect((await rates.quote('USD', 'KES'))?.rate).toBe('129.023307436182');
    expect(server.requests).toBe(1);
  });

  it('refuses a table older than the configured age and quotes from the configured table', async () => {
    const rates = provider();
    await rates.refresh();
    now = new Date('2026-03-05T00:00:01Z');
    expect(await rates.quote('EUR', 'USD')).toEqual({
      from: 'EUR',
      to: 'USD',
      rate: '1.05',
      source: 'configured',
    });
    expect(await rates.quote('EUR', 'KES')).toBeUndefined();
  });

  it('a refresh takes the new table; a failed or malformed one keeps the last good table', async () => {
    const rates = provider();
    await rates.refresh();
    server.body = { base: 'EUR', date: '2026-03-03', rates: { USD: '1.0900' } };
    now = new Date('2026-03-03T18:00:00Z');
    await rates.refresh();
    expect(await rates.quote('EUR', 'USD')).toMatchObject({
      rate: '1.09',
      source: `${new URL(url).host}`,
    });
    server.status = 503;
    await rates.refresh();
    server.status = 200;
    server.body = { base: 'EUR', date: '2026-03-04', rates: { USD: '1e3' } };
    await rates.refresh();
    expect((await rates.quote('EUR', 'USD'))?.rate).toBe('1.09');
  });

  it('without any answer from the provider, the configured table quotes', async () => {
    server.status = 500;
    expect((await provider().quote('EUR', 'USD'))?.source).toBe('configured');
  });
});
