import { HttpException } from '@nestjs/common';
import Fastify from 'fastify';
import { registerJsonBodyParser, type RawBodyRequest } from './body-parsers';

/** The body reader in front of every route, with an echo of what a route receives. */
function app() {
  const server = Fastify();
  registerJsonBodyParser(server, 64 * 1024);
  server.post('/*', (req, reply) =>
    reply.send({
      body: req.body ?? null,
      rawBytes: (req as RawBodyRequest).rawBody?.length ?? 0,
    }),
  );
  server.setErrorHandler((error: unknown, _req, reply) => {
    if (error instanceof HttpException) {
      const answer = error.getResponse() as { error?: string };
      return reply.status(error.getStatus()).send({ error: answer.error ?? 'unknown' });
    }
    return reply
      .status((error as { statusCode?: number }).statusCode ?? 500)
      .send({ error: 'unknown' });
  });
  return server;
}

function post(path: string, payload: string) {
  return app().inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json' },
    payload,
  });
}

const withFraction = '{"amountMinor":"100","exchange_rate":1.0842}';

describe('the JSON body reader', () => {
  it('refuses a fractional number on an API route', async () => {
    const answer = await post('/transfers', withFraction);
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error).toBe('validation_failed');
  });

  it("keeps a provider callback's bytes as they came and leaves parsing to its adapter", async () => {
    const answer = await post('/webhooks/stripe', withFraction);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ body: null, rawBytes: Buffer.byteLength(withFraction) });
  });

  it('still bounds the size of a provider callback', async () => {
    const answer = await post('/webhooks/stripe', `{"pad":"${'x'.repeat(70 * 1024)}"}`);
    expect(answer.statusCode).toBe(413);
  });
});
