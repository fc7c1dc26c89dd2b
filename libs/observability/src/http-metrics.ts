import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LedgerMetrics } from './ledger.metrics';

type RoutedRequest = IncomingMessage & { baseUrl?: string; route?: { path?: unknown } };

/**
 * Times every request from the first middleware to the response's end, by
 * route template (`/wallets/:id`, never the id itself, so the series stay
 * few) and status. Requests no route took (404s, bodies refused before
 * routing) share the route label `unmatched`.
 */
export function httpMetricsMiddleware(metrics: LedgerMetrics) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const stop = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const route = routeOf(req);
      const method = req.method ?? 'UNKNOWN';
      stop({ method, route, status: String(res.statusCode) });
      if (res.getHeader('Idempotent-Replayed') === 'true')
        metrics.idempotentReplays.inc({ method, route });
    });
    next();
  };
}

/**
 * Express leaves `req.route` at the last route layer the request passed; for
 * a request no handler took, that is a catch-all middleware's wildcard
 * (`*`, `{*splat}`), which names no route.
 */
function routeOf(req: RoutedRequest): string {
  const path = req.route?.path;
  if (typeof path !== 'string' || path.includes('*')) return 'unmatched';
  return `${req.baseUrl ?? ''}${path}`;
}
