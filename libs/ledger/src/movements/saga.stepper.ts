import type { Position } from '@ledger/event-store';
import type { CommandContext, CommandOutcome } from '../command-path/command-processor';
import type { WalletCommand } from '../wallet/wallet.commands';
import type { WalletEvent } from '../wallet/wallet.events';
import type { WalletRejection } from '../wallet/wallet.rejections';
import type { SagaState, SagaOutcome } from './nest/movement-streams.service';
import { must } from '@ledger/invariant';
import {
  MAX_STEPS_PER_ADVANCE,
  stepId,
  type SagaAction,
  type StepOutcome,
  type StepResult,
} from './saga';
import {
  foldStep as fold,
  runTogether,
  type SagaStreamsTogether,
  type WalletsTogether,
} from './saga-together';
import { SAGA_JOB_POLICIES, type SagaJobQueue } from './saga-jobs.port';

/** How a wallet command of a saga step is run. */
export interface WalletStepOptions {
  /**
   * Asked right before each decision of the command, retries included: when
   * it answers false the command is not decided and answers
   * `concurrency_conflict`, writing nothing. The inline run passes "my clock
   * is within the lease" (docs/sagas.md).
   */
  readonly mayDecide?: () => boolean;
}

/** The wallet write side as a saga needs it (`WalletCommands` in production). */
export interface WalletExecutor {
  execute(
    walletId: string,
    command: WalletCommand,
    context: CommandContext,
    options?: WalletStepOptions,
  ): Promise<CommandOutcome<WalletEvent, WalletRejection>>;
  /** Present where the store writes several streams at once: see `runTogether`. */
  readonly together?: WalletsTogether['together'];
}

/** The saga streams as the stepper needs them (`MovementStreams` in production). */
export interface SagaStreams {
  current(stream: string, atLeast: bigint | 'latest'): Promise<SagaState | undefined>;
  record<C extends { commandId: string }>(
    stream: string,
    command: C,
    context?: CommandContext,
  ): Promise<SagaOutcome>;
  /** Present with `WalletExecutor.together`: see `runTogether`. */
  readonly decideNew?: SagaStreamsTogether['decideNew'];
  readonly adopt?: SagaStreamsTogether['adopt'];
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
  /**
   * How long after an inline lease an advance that is not the inline run
   * (the driver's) still leaves the saga alone (`SAGA_INLINE_LEASE_MARGIN_MS`):
   * covers the clock skew between hosts.
   */
  readonly leaseMarginMs?: number;
}

/** The driver's margin past an inline lease unless configured (`SAGA_INLINE_LEASE_MARGIN_MS`). */
export const DEFAULT_LEASE_MARGIN_MS = 3_000;

/** What an advance came to: the saga as recorded, and where its last recorded step is in the log. */
export interface SagaAdvance {
  readonly saga: SagaState | undefined;
  /** Undefined when this advance recorded nothing new. */
  readonly position?: Position;
  /**
   * The driver's stepper left the saga alone: its inline run's lease (plus
   * the margin) lasts until then, when the saga is to be advanced again.
   */
  readonly leasedUntil?: Date;
}

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
 *
 * A saga whose request carries an inline lease (a transfer) is the
 * inline run's alone until the lease ends: the run of the process that
 * recorded the request (`advance(…, { inline: true })`) takes its steps only
 * within the lease and records the outcomes of successful steps together;
 * any other advance (the driver's) leaves it alone until `leaseMarginMs`
 * after the lease, then ends the inline run on the stream before taking any
 * step.
 * docs/sagas.md, "The inline run's lease", gives the argument.
 */
export class SagaStepper {
  private readonly clock: () => Date;
  private readonly jobPolicies: typeof SAGA_JOB_POLICIES;
  private readonly leaseMarginMs: number;

  constructor(
    private readonly streams: SagaStreams,
    private readonly wallets: WalletExecutor,
    private readonly jobs: SagaJobQueue,
    private readonly options: SagaStepperOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.jobPolicies = options.jobPolicies ?? SAGA_JOB_POLICIES;
    this.leaseMarginMs = options.leaseMarginMs ?? DEFAULT_LEASE_MARGIN_MS;
  }

  /**
   * Loads the saga (at least at revision `atLeast`, an event the caller has
   * seen) and performs its due steps. `causationId` names what caused this
   * advance (the event that woke the driver, the request) on the wallet events.
   * `inline`: this is the run of the process that just recorded the request.
   */
  async advance(
    stream: string,
    atLeast: bigint | 'latest',
    causationId: string,
    run: { readonly inline?: boolean } = {},
  ): Promise<SagaAdvance> {
    const saga = await this.streams.current(stream, atLeast);
    const lease =
      saga?.summary?.status === 'pending' ? saga.saga.inlineLease?.(saga.state) : undefined;
    if (!saga || !lease) return this.steps(saga, causationId);
    if (run.inline) return this.runLeased(saga, causationId);
    if (lease.ended) return this.steps(saga, causationId);
    const dueMs = Date.parse(lease.until) + this.leaseMarginMs;
    if (this.clock().getTime() < dueMs) return { saga, leasedUntil: new Date(dueMs) };
    return this.steps(await this.endInlineRun(saga, causationId), causationId);
  }

  /**
   * Records a new saga's request and takes its whole inline run in one
   * append where the store can (`runTogether`): the saga completed, or
   * undefined with nothing written, for the caller to record the request
   * and run it step by step.
   */
  async runTogether(
    stream: string,
    request: { commandId: string },
    context: CommandContext,
  ): Promise<SagaAdvance | undefined> {
    const { streams, wallets, clock } = this;
    const { decideNew, adopt } = streams;
    const together = wallets.together;
    if (!decideNew || !adopt || !together) return undefined;
    return runTogether(
      {
        streams: { decideNew: decideNew.bind(streams), adopt: adopt.bind(streams) },
        wallets: { together: together.bind(wallets) },
        clock,
      },
      stream,
      request,
      context,
    );
  }

  /** Takes the due steps one at a time, recording each outcome before the next step. */
  private async steps(saga: SagaState | undefined, causationId: string): Promise<SagaAdvance> {
    const stream = saga?.movementId;
    let position: Position | undefined;
    for (let steps = 0; stream && saga?.summary && steps < MAX_STEPS_PER_ADVANCE; steps++) {
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
   * The API's run of a leased saga: each step only while the clock is
   * within the lease, and no wallet decision past it (`mayDecide`). The
   * outcomes of successful steps are folded into the saga's state here and
   * recorded in one append once no step is due (or the lease or the run
   * ends); a refusal is recorded, with the outcomes before it, before any
   * further step, so a compensation always follows a recorded refusal, as
   * the saga's pure `next` decides it. A crash between steps leaves wallet
   * steps unrecorded: the driver redoes them under their derived ids after
   * the lease (duplicates write nothing) and records them.
   */
  private async runLeased(saga: SagaState, causationId: string): Promise<SagaAdvance> {
    const stream = saga.movementId;
    let recorded = saga;
    let state: unknown = saga.state;
    let outcomes: StepOutcome[] = [];
    let lastAction: SagaAction | undefined;
    let position: Position | undefined;
    const flush = async (): Promise<boolean> => {
      if (outcomes.length === 0) return true;
      const recording = outcomes;
      const last = recording.at(-1);
      const action = lastAction;
      outcomes = [];
      const outcome = await this.streams.record(
        stream,
        must(saga.saga.recordSteps?.(stream, recording), 'recordSteps of a leased saga'),
        { correlationId: stream, causationId },
      );
      if (!outcome.ok && outcome.rejection !== 'concurrency_conflict') {
        if (last && action) this.options.onStuck?.(stream, action, last.result, outcome.rejection);
        return false;
      }
      if (outcome.ok && outcome.position) position = outcome.position;
      recorded = must(
        await this.streams.current(stream, outcome.ok ? outcome.revision : 'latest'),
        'a saga just recorded',
      );
      state = recorded.state;
      return true;
    };
    for (let steps = 0; steps < MAX_STEPS_PER_ADVANCE; steps++) {
      const lease = recorded.saga.inlineLease?.(state);
      const at = this.clock();
      const deadlineMs = lease ? Date.parse(lease.until) : Number.NEGATIVE_INFINITY;
      if (!lease || lease.ended || at.getTime() > deadlineMs) break;
      await this.enqueueJobs({ ...recorded, state }, stream, at);
      const [action] = recorded.saga.next(state, stream, at.toISOString());
      if (!action) break;
      lastAction = action;
      let result: StepResult;
      try {
        result = await this.perform(
          stream,
          action,
          causationId,
          () => this.clock().getTime() <= deadlineMs,
        );
      } catch (error) {
        // Cut short (contention, the lease's end, an outage): what was done is recorded first.
        await flush().catch(() => undefined);
        throw error;
      }
      const outcome: StepOutcome = { step: action.step, result, at: at.toISOString() };
      outcomes.push(outcome);
      const folded = result.ok ? fold(recorded.saga, state, stream, outcome) : undefined;
      if (folded === undefined) {
        if (!(await flush())) return { saga: recorded, position };
      } else state = folded;
    }
    if (!(await flush())) return { saga: recorded, position };
    if (recorded.summary?.status === 'failed')
      await this.releaseOrphanedHold(recorded, causationId);
    return { saga: recorded, position };
  }

  /**
   * The driver's first write to a saga whose lease is over: `EndInlineRun`,
   * appended with the expected revision of the state it acts on. An inline
   * record decided before it is on the stream first (this append then
   * conflicts and is decided again on it); one decided after it records
   * nothing. Returns the saga as the stream now holds it.
   */
  private async endInlineRun(saga: SagaState, causationId: string): Promise<SagaState> {
    const stream = saga.movementId;
    const outcome = await this.streams.record(
      stream,
      must(
        saga.saga.endInlineRun?.(stream, this.clock().toISOString()),
        'endInlineRun of a leased saga',
      ),
      { correlationId: stream, causationId },
    );
    if (!outcome.ok)
      throw new Error(`Saga ${stream}: its inline run not ended (${outcome.rejection})`);
    return must(await this.streams.current(stream, outcome.revision), 'a saga just recorded');
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
    mayDecide?: () => boolean,
  ): Promise<StepResult> {
    const outcome = await this.wallets.execute(
      action.walletId,
      action.command,
      { correlationId: stream, causationId },
      mayDecide && { mayDecide },
    );
    if (outcome.ok) return { ok: true };
    // A conflict is contention, not an answer: fail the advance so it is retried.
    if (outcome.rejection === 'concurrency_conflict')
      throw new Error(
        mayDecide
          ? `Wallet ${action.walletId} stayed contended, or the inline lease ended`
          : `Wallet ${action.walletId} stayed contended`,
      );
    return { ok: false, reason: outcome.rejection };
  }
}
