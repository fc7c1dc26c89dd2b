import { createHash, timingSafeEqual } from 'node:crypto';
import {
  Controller,
  HttpCode,
  Inject,
  NotFoundException,
  Optional,
  Param,
  Post,
  Req,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import type { RawBodyRequest } from '../http/body-parsers';
import { Public } from '@ledger/identity';
import { RecordMpesaCallbackCommand } from '@ledger/movements';
import {
  MPESA_CALLBACK_LEGS,
  MPESA_CALLBACK_SECRET,
  parseMpesaCallback,
  type MpesaCallbackLeg,
} from '@ledger/payments';

/** What Daraja expects back from a callback it delivered. */
const ACCEPTED = { ResultCode: 0, ResultDesc: 'Accepted' } as const;

/**
 * Daraja's callbacks: `POST /webhooks/mpesa/<secret>/<movementId>/<leg>`.
 * M-Pesa signs nothing, so three things stand between a forged callback and
 * a credited wallet: the path's secret (MPESA_CALLBACK_SECRET, compared in
 * constant time, here, before anything is sent on), the movement it names
 * having sent exactly that request, and a status query the service makes
 * itself, whose answer is the only thing recorded (`RecordMpesaCallbackCommand`).
 * Anything that does not match answers as a route that does not exist and
 * writes nothing. A callback for a movement that has moved on (a duplicate,
 * a late one) is accepted and changes nothing.
 */
@ApiExcludeController()
@Controller('webhooks/mpesa')
export class MpesaCallbackController {
  private readonly secretHash?: Buffer;

  constructor(
    @Optional() @Inject(MPESA_CALLBACK_SECRET) secret: string | null,
    private readonly commands: CommandBus,
  ) {
    this.secretHash = secret ? digest(secret) : undefined;
  }

  @Post(':secret/:movementId/:leg')
  @Public()
  @HttpCode(200)
  async receive(
    @Param('secret') secret: string,
    @Param('movementId') movementId: string,
    @Param('leg') leg: string,
    @Req() request: RawBodyRequest & { method: string; originalUrl: string },
  ): Promise<typeof ACCEPTED> {
    const missing = new NotFoundException(`Cannot ${request.method} ${request.originalUrl}`);
    if (!this.secretHash || !timingSafeEqual(digest(secret), this.secretHash)) throw missing;
    const body = callbackBody(request.rawBody);
    const callback = isLeg(leg) && body !== undefined ? parseMpesaCallback(leg, body) : undefined;
    if (!callback) throw missing;
    const outcome = await this.commands.execute(
      new RecordMpesaCallbackCommand(movementId, callback),
    );
    if (outcome === 'not_ours') throw missing;
    return ACCEPTED;
  }
}

/**
 * Callbacks reach the route as raw bytes (the API's own body rules are not
 * Daraja's): parsed here, once the secret has matched. Not JSON is not a callback.
 */
function callbackBody(raw: Buffer | undefined): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isLeg(leg: string): leg is MpesaCallbackLeg {
  return (MPESA_CALLBACK_LEGS as readonly string[]).includes(leg);
}

/** Equal-length digests, so the comparison's time says nothing about the secret. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
