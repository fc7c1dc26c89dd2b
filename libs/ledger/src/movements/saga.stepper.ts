import type { Position } from '@ledger/event-store';
import type { CommandContext, CommandOutcome } from '../command-path/command-processor';
import type { WalletCommand } from '../wallet/wallet.commands';
import type { WalletEvent } from '../wallet/wallet.events';
import type { WalletRejection } from '../wallet/wallet.rejections';
import type { SagaState, SagaOutcome } from './nest/movement-streams.service';
import { stepId, type SagaAction, type StepResult } from './saga';
import { SAGA_JOB_POLICIES, type SagaJobQueue } from './saga-jobs.port';

/** The wallet write side as a saga needs it (`WalletCommands` in production). */
export interface WalletExecutor {
  execute(
    walletId: string,
    command: WalletCommand,
    context: CommandContext,
  ): Promise<CommandOutcome<WalletEvent, WalletRejection>>;
}

/** The saga streams as the stepper needs them (`MovementStreams` in production). */
export interface SagaStreams {
  current(stream: string, atLeast: bigint | 'latest'): Promise<SagaState | undefined>;
  record<C extends { commandId: string }>(
    stream: string,
    command: C,
    context?: CommandContext,
  ): Promise<SagaOutcome>;
}

export interface SagaStepperOptions {
  readonly clock?: () => Date;
  /** Attempts and backoff per job; `SAGA_JOB_POLICIES` unless a test wants them faster. */
  readonly jobPolicies?: typeof SAGA_JOB_POLICIES;
  /**
   * Told when a step's outcome cannot be recorded (a refused capture): the
   * saga's recorded state then admits no step, so it is reported to an
   * operator instead of being retried in a loop.
   */
  readonly onStuck?: (stream: string, action: SagaAction, result: StepResult, why: string) => void;
}

/** What an advance came to: the saga as recorded, and where its last recorded step is in the log. */
export interface SagaAdvance {
  readonly saga: SagaState | undefined;
  /** Undefined when this advance recorded nothing new. */
  readonly position?: Position;
}

/** A saga advances at most this many steps per call; a saga needing more is looping. */
export const MAX_STEPS_PER_ADVANCE = 8;

/**
 * Takes a saga's due steps, one after the other, until none is due: makes
 * sure its jobs exist, performs the wallet command `next` names (its ids
 * derive from the saga and the step), and records the outcome on the saga
 * stream with the expected revision. The worker's driver advances every
 * saga through it, and the API through the same instance kind right after
 * recording a request, so there is one loop, not two. Both may advance the
 * same saga: every step is idempotent by its derived ids, a step already
 * recorded records nothing, and an advance that throws (an outage, a
 * contended wallet) leaves the saga where its stream says, for the next
 * advance to resume.
 */
export class SagaStepper {
  private readonly clock: () => Date;
  private readonly jobPolicies: typeof SAGA_JOB_POLICIES;

  constructor(
    private readonly streams: SagaStreams,
    private readonly wallets: WalletExecutor,
    private readonly jobs: SagaJobQueue,
    private readonly options: SagaStepperOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.jobPolicies = options.jobPolicies ?? SAGA_JOB_POLICIES;
  }

  /**
   * Loads the saga (at least at revision `atLeast`, an event the caller has
   * seen) and performs its due steps. `causationId` names what caused this
   * advance (the event that woke the driver, the request) on the wallet events.
   */
  async advance(
    stream: string,
    atLeast: bigint | 'latest',
    causationId: string,
  ): Promise<SagaAdvance> {
    let saga = await this.streams.current(stream, atLeast);
    let position: Position | undefined;
    for (let steps = 0; saga?.summary && steps < MAX_STEPS_PER_ADVANCE; steps++) {
      const at = this.clock();
      await this.enqueueJobs(saga, stream, at);
      const [action] = saga.saga.next(saga.state, stream, at.toISOString());
      if (!action) {
        if (saga.summary.status === 'failed') await this.releaseOrphanedHold(saga, causationId);
        return { saga, position };
      }
      const result = await this.perform(stream, action, causationId);
      const recorded = await this.streams.record(
        stream,
        saga.saga.recordStep(stream, action.step, result, at.toISOString()),
        { correlationId: stream, causationId: action.command.commandId },
      );
      if (!recorded.ok && recorded.rejection !== 'concurrency_conflict') {
        this.options.onStuck?.(stream, action, result, recorded.rejection);
        return { saga, position };
      }
      if (recorded.ok && recorded.position) position = recorded.position;
      // This process just recorded the step, so its cached state is current.
      saga = await this.streams.current(stream, recorded.ok ? recorded.revision : 'latest');
    }
    return { saga, position };
  }

  /**
   * Two processes may take the same step at once (the API inline, the
   * driver woken by the request). A hold one of them saw refused, and the
   * other placed a moment later once the balance allowed it (or placed and
   * then crashed), ends a saga that recorded the refusal first with money
   * held for nothing. A failed saga holds nothing, so each advance of one
   * releases its hold; one never placed, or already released by the saga's
   * own compensation, is `hold_not_found`, which writes nothing.
   */
  private async releaseOrphanedHold(saga: SagaState, causationId: string): Promise<void> {
    const hold = saga.saga.holdOf?.(saga.state, saga.movementId);
    if (!hold) return;
    const outcome = await this.wallets.execute(
      hold.walletId,
      {
        type: 'ReleaseHold',
        commandId: stepId(saga.movementId, 'release-orphaned-hold'),
        holdId: hold.holdId,
        at: this.clock().toISOString(),
      },
      { correlationId: saga.movementId, causationId },
    );
    if (!outcome.ok && outcome.rejection !== 'hold_not_found')
      throw new Error(`Saga ${saga.movementId}: its orphaned hold stayed (${outcome.rejection})`);
  }

  private async enqueueJobs(saga: SagaState, stream: string, at: Date): Promise<void> {
    for (const job of saga.saga.jobs(saga.state, stream)) {
      const delayMs = job.runAt ? Math.max(0, Date.parse(job.runAt) - at.getTime()) : 0;
      await this.jobs.enqueue(job, { delayMs, ...this.jobPolicies[job.name] });
    }
  }

  private async perform(
    stream: string,
    action: SagaAction,
    causationId: string,
  ): Promise<StepResult> {
    const outcome = await this.wallets.execute(action.walletId, action.command, {
      correlationId: stream,
      causationId,
    });
    if (outcome.ok) return { ok: true };
    // A conflict is contention, not an answer: fail the advance so it is retried.
    if (outcome.rejection === 'concurrency_conflict')
      throw new Error(`Wallet ${action.walletId} stayed contended`);
    return { ok: false, reason: outcome.rejection };
  }
}
