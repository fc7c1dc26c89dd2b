import type { FastifyInstance } from 'fastify';

/**
 * Names each traced request's server span by its route template
 * (`POST /wallets/:id/adjustments`, with `http.route`), as the Express
 * instrumentation did: the http instrumentation reads the route from the
 * RPC metadata of the request's context. Registered only with tracing on,
 * so nothing of OpenTelemetry is loaded otherwise.
 */
export function nameServerSpansByRoute(fastify: FastifyInstance): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { context } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { getRPCMetadata, RPCType } =
    require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  /* eslint-enable @typescript-eslint/no-require-imports */
  fastify.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    const metadata = getRPCMetadata(context.active());
    if (metadata?.type === RPCType.HTTP && route !== undefined && !route.includes('*'))
      metadata.route = route;
    done();
  });
}
