import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Ids a caller may choose: short, and nothing that could forge a log line or a header. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `X-Request-Id` when it is a plausible id, a new UUID otherwise. */
export function chooseRequestId(req: { readonly headers: IncomingHttpHeaders }): string {
  const offered = req.headers['x-request-id'];
  return typeof offered === 'string' && ACCEPTED_ID.test(offered) ? offered : randomUUID();
}

/**
 * The request's id, set on the response so the caller can quote it. It is
 * every log line's `reqId` for the request. The API's server chooses it as
 * it takes the request (`chooseRequestId`) and leaves it on `req.id`; a
 * request without one gets one here.
 */
export function requestId(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  const id = typeof req.id === 'string' ? req.id : chooseRequestId(req);
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}
