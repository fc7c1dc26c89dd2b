import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LedgerMetrics } from './ledger.metrics';

type Stop = (labels: { method: string; route: string; status: string }) => void;

/** What the hooks keep on a request: its timer, and whether a route's handler took it. */
const TIMER = Symbol('httpTimer');
const ROUTED = Symbol('httpRouted');
type TimedRequest = FastifyRequest & { [TIMER]?: Stop; [ROUTED]?: boolean };

/**
 * Times every request from its arrival to the response's end, by route
 * template (`/wallets/:id`, never the id itself, so the series stay few) and
 * status. Requests no route took (404s, bodies refused before the handler)
 * share the route label `unmatched`.
 */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: LedgerMetrics): void {
  fastify.decorateRequest(TIMER, undefined);
  fastify.decorateRequest(ROUTED, false);
  fastify.addHook('onRequest', (request: TimedRequest, _reply, done) => {
    request[TIMER] = metrics.httpDuration.startTimer();
    done();
  });
  fastify.addHook('preHandler', (request: TimedRequest, _reply, done) => {
    request[ROUTED] = true;
    done();
  });
  fastify.addHook('onResponse', (request: TimedRequest, reply, done) => {
    const route = routeOf(request);
    const method = request.method;
    request[TIMER]?.({ method, route, status: String(reply.statusCode) });
    if (reply.getHeader('Idempotent-Replayed') === 'true')
      metrics.idempotentReplays.inc({ method, route });
    done();
  });
}

/** A wildcard route (the web app's catch-all) names no route either. */
function routeOf(request: TimedRequest): string {
  const url = request[ROUTED] ? request.routeOptions.url : undefined;
  if (typeof url !== 'string' || url.includes('*')) return 'unmatched';
  return url;
}
