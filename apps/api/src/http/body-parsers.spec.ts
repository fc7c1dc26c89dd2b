import express, { type Request, type Response } from 'express';
import request from 'supertest';
import { jsonBodyParser, type RawBodyRequest } from './body-parsers';

/** The body reader in front of every route, with an echo of what a route receives. */
function app() {
  const server = express();
  server.use(jsonBodyParser(64 * 1024));
  server.post('*path', (req: Request, res: Response) => {
    res.json({
      body: req.body ?? null,
      rawBytes: (req as RawBodyRequest).rawBody?.length ?? 0,
    });
  });
  server.use(
    (
      error: { status?: number; response?: { error?: string } },
      _req: Request,
      res: Response,
      _next: unknown,
    ) => {
      res.status(error.status ?? 500).json({ error: error.response?.error ?? 'unknown' });
    },
  );
  return server;
}

const withFraction = '{"amountMinor":"100","exchange_rate":1.0842}';

describe('the JSON body reader', () => {
  it('refuses a fractional number on an API route', async () => {
    const answer = await request(app())
      .post('/transfers')
      .set('content-type', 'application/json')
      .send(withFraction);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('validation_failed');
  });

  it("keeps a provider callback's bytes as they came and leaves parsing to its adapter", async () => {
    const answer = await request(app())
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .send(withFraction);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ body: null, rawBytes: Buffer.byteLength(withFraction) });
  });

  it('still bounds the size of a provider callback', async () => {
    const answer = await request(app())
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .send(`{"pad":"${'x'.repeat(70 * 1024)}"}`);
    expect(answer.status).toBe(413);
  });
});
