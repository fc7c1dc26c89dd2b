import type { Logger } from '@nestjs/common';
import { setting, type Env } from '@ledger/config';
import type { Position } from '@ledger/event-store';
import type {
  CommandContext,
  MovementStarted,
  MovementStartRejection,
  SagaAdvance,
  SagaStepper,
} from '@ledger/ledger';
import type { MovementStreams } from '@ledger/ledger/nest';

/**
 * How long after its request the API takes a transfer's steps itself
 * (`SAGA_INLINE_LEASE_MS`, a number of milliseconds): recorded on the
 * request as `inlineUntil`, the worker's driver leaves the saga alone until
 * a margin after it (docs/sagas.md, "The inline run's lease").
 */
export const INLINE_LEASE = Symbol('INLINE_LEASE');
export const DEFAULT_INLINE_LEASE_MS = 2_000;

export function readInlineLeaseMs(env: Env): number {
  return setting(env, 'SAGA_INLINE_LEASE_MS');
}

/** The end of the inline run's lease of a request made at `at` (ISO time). */
export function inlineUntil(at: string, leaseMs: number): string {
  return new Date(Date.parse(at) + leaseMs).toISOString();
}

/**
 * Runs a transfer-shaped saga's steps within the request, as transfers,
 * payments and refunds do: the answer is completed, or the wallet's refusal
 * with nothing moved, or pending when the run was cut short (an outage, a
 * contended wallet, the lease's end), which the worker's driver finishes.
 * A re-run under the same Idempotency-Key resumes the movement where it
 * stands, or finds it finished, and answers as the first run would have.
 */
export async function runInline(
  deps: { stepper: SagaStepper; streams: MovementStreams; logger: Logger },
  stream: string,
  revision: bigint | 'latest',
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
    advanced = await deps.stepper.advance(stream, revision, commandId, { inline: true });
  } catch (error) {
    deps.logger.warn(
      `Movement ${stream} left to the worker: ${error instanceof Error ? error.message : String(error)}`,
    );
    return pending;
  }
  const summary = advanced.saga?.summary;
  // A failed transfer's reason is the wallet's refusal of its hold or its
  // credit; either way it moved nothing in the end, so that is the answer.
  if (summary?.status === 'failed')
    return {
      ok: false,
      rejection: (summary.failureReason ?? 'unexpected_step_refusal') as MovementStartRejection,
    };
  if (summary?.status !== 'completed') return pending;
  const position = advanced.position ?? (await lastPosition(deps.streams, stream)) ?? requestedAt;
  return { ok: true, movementId: stream, status: 'completed', ...(position && { position }) };
}

/**
 * A new movement's request and its whole inline run in one append, where
 * the store writes several streams at once and the run completes
 * (`SagaStepper.runTogether`): the answer is then `completed`. Undefined,
 * with nothing written, for everything else (a refusal, a contended
 * wallet, a retry of a request already recorded, a store without group
 * appends): the caller records the request and runs the steps one at a
 * time (`runInline`), which answers those as before.
 */
export async function completeTogether(
  deps: { stepper: SagaStepper; logger: Logger },
  stream: string,
  request: { commandId: string },
  context: CommandContext,
): Promise<MovementStarted | undefined> {
  let advanced: Awaited<ReturnType<SagaStepper['runTogether']>>;
  try {
    advanced = await deps.stepper.runTogether(stream, request, context);
  } catch (error) {
    // Whether or not the group was written, the stepped run finds out by the derived ids.
    deps.logger.warn(
      `Movement ${stream} taken step by step: ${error instanceof Error ? error.message : String(error)}`,
    );
    return undefined;
  }
  if (advanced?.saga?.summary?.status !== 'completed') return undefined;
  const { position } = advanced;
  return { ok: true, movementId: stream, status: 'completed', ...(position && { position }) };
}

/** Where a saga's last event is, for a run that recorded nothing new. */
async function lastPosition(streams: MovementStreams, stream: string) {
  const events = (await streams.replay(stream))?.events ?? [];
  return events.at(-1)?.position;
}
