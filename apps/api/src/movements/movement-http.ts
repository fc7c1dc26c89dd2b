import { applyDecorators, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse } from '@nestjs/swagger';
import { formatPosition, type Position } from '@ledger/event-store';
import type { Principal } from '@ledger/identity';
import { parseAmountMinor, type Caller, type MovementStarted } from '@ledger/ledger';
import type { IdempotencyContext } from '../http/idempotency.interceptor';
import { Idempotent } from '../http/idempotency.interceptor';
import { RejectionException } from '../http/rejection';
import { MovementAcceptedView } from '../transfers/transfer.dto';

/** What every movement-starting route shares: who the caller is, and how an answer is shaped. */
export function callerOf(principal: Principal): Caller {
  return {
    userId: principal.userId,
    actsForOthers: principal.roles.some((r) => r === 'finance' || r === 'admin'),
  };
}

/** The DTO validator has already accepted the amount; this only turns it into a bigint. */
export function amountOf(value: number | string): bigint {
  const amount = parseAmountMinor(value);
  if (amount === 'amount_exceeds_limit') throw new RejectionException('amount_exceeds_limit');
  if (typeof amount !== 'bigint') throw new RejectionException('amount_must_be_positive');
  return amount;
}

/**
 * A route that starts a movement run within the request (transfer, payment,
 * refund): POST under an Idempotency-Key, 201 with the completed movement,
 * 202 when an outage cut the run short and the worker finishes it. The
 * handler answers with `answerMovement`.
 */
export function StartsMovement(path?: string) {
  return applyDecorators(
    Post(path),
    HttpCode(202),
    Idempotent(),
    ApiCreatedResponse({ type: MovementAcceptedView, description: 'Completed' }),
    ApiAcceptedResponse({
      type: MovementAcceptedView,
      description: 'Pending: the worker finishes it',
    }),
  );
}

/**
 * The answer to a movement request that is final where it can be: 201 for a
 * movement that completed within the request, 202 for one still pending.
 * The status goes on the response and on the idempotency record, so a
 * replay answers the same.
 */
export function answerMovement(
  started: MovementStarted,
  request: { idempotency: IdempotencyContext },
  response: { status(code: number): unknown },
) {
  const body = acceptedOrThrow(started);
  const statusCode = body.status === 'completed' ? 201 : 202;
  request.idempotency.statusCode = statusCode;
  response.status(statusCode);
  return body;
}

/** The body for an accepted movement; a refusal becomes its named rejection. */
export function acceptedOrThrow(started: MovementStarted) {
  if (!started.ok) throw new RejectionException(started.rejection);
  return {
    id: started.movementId,
    status: started.status,
    ...(started.position && { position: formatPosition(started.position) }),
    ...(started.clientSecret && { clientSecret: started.clientSecret }),
    ...(started.repeated && { repeated: true as const }),
  };
}

/**
 * Every accepted movement answers the log position of its outcome, so a
 * client can read its own write (`?position=`). A re-run that recorded
 * nothing new (a retry after a lost answer, a prompt already sent) has no
 * position of its own: the movement's last recorded event is where its
 * outcome stands.
 */
export async function withPosition(
  started: MovementStarted,
  streams: {
    replay(stream: string): Promise<{ events: readonly { position: Position }[] } | undefined>;
  },
): Promise<MovementStarted> {
  if (!started.ok || started.position) return started;
  const events = (await streams.replay(started.movementId))?.events ?? [];
  const last = events[events.length - 1];
  return last ? { ...started, position: last.position } : started;
}
