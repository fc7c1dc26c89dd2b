import type { Logger } from '@nestjs/common';
import type { Position } from '@ledger/event-store';
import type {
  MovementStarted,
  MovementStartRejection,
  SagaAdvance,
  SagaStepper,
} from '@ledger/ledger';
import type { MovementStreams } from '@ledger/ledger/nest';

/**
 * Runs a transfer-shaped saga's steps within the request, as transfers do:
 * the answer is completed, or the wallet's refusal with nothing moved, or
 * pending when the run was cut short (the worker's driver finishes it).
 */
export async function runInline(
  deps: { stepper: SagaStepper; streams: MovementStreams; logger: Logger },
  stream: string,
  revision: bigint,
  commandId: string,
  requestedAt: Position | undefined,
): Promise<MovementStarted> {
  const pending: MovementStarted = {
    ok: true,
    movementId: stream,
    status: 'pending',
    ...(requestedAt && { position: requestedAt }),
  };
  let advanced: SagaAdvance;
  try {
    advanced = await deps.stepper.advance(stream, revision, commandId);
  } catch (error) {
    deps.logger.warn(
      `Movement ${stream} left to the worker: ${error instanceof Error ? error.message : String(error)}`,
    );
    return pending;
  }
  const summary = advanced.saga?.summary;
  if (summary?.status === 'failed')
    return {
      ok: false,
      rejection: (summary.failureReason ?? 'unexpected_step_refusal') as MovementStartRejection,
    };
  if (summary?.status !== 'completed') return pending;
  const position = advanced.position ?? (await lastPosition(deps.streams, stream)) ?? requestedAt;
  return { ok: true, movementId: stream, status: 'completed', ...(position && { position }) };
}

/** Where a saga's last event is, for a run that recorded nothing new. */
async function lastPosition(streams: MovementStreams, stream: string) {
  const events = (await streams.replay(stream))?.events ?? [];
  return events.at(-1)?.position;
}
