import { request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SseEvent {
  /** The last event id as of this event (as a browser's EventSource keeps it). */
  readonly lastEventId: string;
  /** Whether this very event carried the id field. */
  readonly hasId: boolean;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

export interface SseConnection {
  readonly status: number;
  readonly events: SseEvent[];
  /** Comment lines received (heartbeats). */
  comments: number;
  /** Resolves with the first event (already received or to come) that matches. */
  waitFor(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ended the connection. */
  readonly ended: Promise<void>;
  close(): void;
}

/** Makes the test application listen on a port of its own, once, for streaming clients. */
export async function listening(server: Server): Promise<number> {
  if (!server.listening)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A minimal Server-Sent Events client over node:http, parsing as the WHATWG spec does. */
export async function openEvents(
  server: Server,
  path: string,
  auth: string,
  lastEventId?: string,
): Promise<SseConnection> {
  const port = await listening(server);
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: {
          Authorization: auth,
          Accept: 'text/event-stream',
          ...(lastEventId !== undefined && { 'Last-Event-ID': lastEventId }),
        },
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
  const events: SseEvent[] = [];
  const waiters: Array<{ match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }> = [];
  let buffer = '';
  let last = lastEventId ?? '';
  const connection: SseConnection = {
    status: response.statusCode ?? 0,
    events,
    comments: 0,
    waitFor(match, timeoutMs = 15_000) {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`No matching event; got ${JSON.stringify(events)}`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
    ended: new Promise((resolve) => {
      response.on('end', resolve);
      response.on('close', resolve);
      response.on('error', () => resolve());
    }),
    close: () => response.destroy(),
  };
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let data = '';
      let hasId = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) connection.comments++;
        else if (line.startsWith('id: ')) {
          last = line.slice(4);
          hasId = true;
        } else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (!data) continue;
      const parsed: SseEvent = { lastEventId: last, hasId, event, data: JSON.parse(data) };
      events.push(parsed);
      for (const waiter of [...waiters])
        if (waiter.match(parsed)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(parsed);
        }
    }
  });
  return connection;
}

/**
 * Asks for an event stream and hangs up as soon as it starts: the status,
 * and the problem body when it is refused. For callers that only check who
 * may open a stream.
 */
export async function probeEvents(
  server: Server,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const port = await listening(server);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      const status = res.statusCode ?? 0;
      if (status === 200) {
        res.destroy();
        return resolve({ status, body: {} });
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve({ status, body: JSON.parse(text) });
        } catch {
          resolve({ status, body: {} });
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}
