import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Position } from '@ledger/event-store';
import { CurrentPrincipal, Roles, type Principal } from '@ledger/identity';
import { positionParam } from '../http/query-values';
import { LiveEvents } from './live-events.service';
import type { LiveSink } from './live-events.hub';

const STREAM_DESCRIPTION =
  'Server-Sent Events. `event: balance` (a wallet balance after a change) and `event: movement` ' +
  "(a movement's status), each with `id:` the log position of the change; reconnect with " +
  '`Last-Event-ID` (or `?lastEventId=`) to resume after it with no event lost or repeated. ' +
  'Comments (`: heartbeat`) keep the connection alive; `event: reset` says the gap was too long ' +
  'to replay: reload and follow on. A client that does not keep up is disconnected.';

@ApiTags('live')
@ApiBearerAuth()
@Controller()
export class LiveEventsController {
  constructor(private readonly hub: LiveEvents) {}

  /** Balance and movement status changes of the caller's wallets, as they happen. */
  @Get('me/events')
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event' })
  @ApiQuery({ name: 'lastEventId', required: false, description: 'As Last-Event-ID' })
  @ApiOkResponse({
    description: STREAM_DESCRIPTION,
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  async mine(
    @CurrentPrincipal() principal: Principal,
    @Headers('last-event-id') header: string | undefined,
    @Query('lastEventId') query: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.stream(principal.userId, resumeFrom(header, query), request, reply);
  }

  /** Every balance and movement change, and the projection lag with each heartbeat. */
  @Get('ledger/events/live')
  @Roles('finance', 'auditor', 'admin')
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event' })
  @ApiQuery({ name: 'lastEventId', required: false, description: 'As Last-Event-ID' })
  @ApiOkResponse({
    description: `${STREAM_DESCRIPTION} Staff also get \`event: lag\`: the projection's checkpoint, head and lag.`,
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  async all(
    @Headers('last-event-id') header: string | undefined,
    @Query('lastEventId') query: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.stream(undefined, resumeFrom(header, query), request, reply);
  }

  private async stream(
    ownerId: string | undefined,
    lastEventId: Position | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    // The stream is written to the socket's response directly: Fastify lets go of it here,
    // keeping the headers its hooks set (request id, helmet, CORS).
    reply.hijack();
    const response = reply.raw;
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) response.setHeader(name, value);
    }
    response.statusCode = 200;
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('Connection', 'keep-alive');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.write('retry: 2000\n\n');
    const sink: LiveSink = {
      write: (chunk) => response.write(chunk),
      get bufferedBytes() {
        return response.writableLength;
      },
      close: () => response.destroy(),
    };
    let closed = false;
    // Assigned once, after the close handler that reads it is registered.
    // eslint-disable-next-line prefer-const
    let subscription: { close(): void } | undefined;
    request.raw.on('close', () => {
      closed = true;
      subscription?.close();
    });
    subscription = await this.hub.subscribe(sink, ownerId, lastEventId);
    if (closed) subscription.close();
  }
}

/** Where a reconnecting client resumes: the header a browser sends, or the query a first connection can. */
function resumeFrom(header: unknown, query: unknown): Position | undefined {
  if (header !== undefined && header !== '') return positionParam('Last-Event-ID', String(header));
  if (query !== undefined && query !== '') return positionParam('lastEventId', String(query));
  return undefined;
}
