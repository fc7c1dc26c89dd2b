import type { Position } from '@ledger/event-store';
import { must } from '@ledger/invariant';
import type { CommandContext } from '../command-path/command-processor';
import type { Decided, HeldStreams } from '../command-path/held-streams';
import type { WalletCommand } from '../wallet/wallet.commands';
import type { WalletEvent } from '../wallet/wallet.events';
import type { WalletRejection } from '../wallet/wallet.rejections';
import type { MovementRejection } from './movement.rejections';
import type { SagaState } from './nest/movement-streams.service';
import { MAX_STEPS_PER_ADVANCE, type StepOutcome } from './saga';

/** Wallets held together, named by wallet id (`WalletCommands.together`). */
export type HeldWallets = HeldStreams<WalletCommand, WalletEvent, WalletRejection>;

/** What `runTogether` needs of the wallets' write side; present where the store writes groups. */
export interface WalletsTogether {
  together<T>(walletIds: readonly string[], work: (held: HeldWallets) => Promise<T>): Promise<T>;
}

/** What `runTogether` needs of the saga streams (`MovementStreams`). */
export interface SagaStreamsTogether {
  /**
   * The events commands would append to a new saga stream (going on from
   * `after`, an earlier answer for it), and the saga they make, or the refusal.
   */
  decideNew(
    movementId: string,
    commands: ReadonlyArray<{
      readonly command: { commandId: string };
      readonly context: CommandContext;
    }>,
    after?: { readonly decided: Decided<unknown> },
  ): { readonly decided: Decided<unknown>; readonly saga: SagaState } | MovementRejection;
  /** Keeps a saga stream a group created as the command side's cached state. */
  adopt(movementId: string, decided: Decided<unknown>, nextRevision: bigint): void;
}

/**
 * A leased saga's whole inline run as one append: the request, every wallet
 * step the saga's `next` names (each decided on the wallet's state as the
 * steps before it leave it) and the record of their outcomes, written
 * together all or none with the expected revision of every stream
 * (`HeldStreams`). The events are those the stepped run
 * (`SagaStepper.advance(…, { inline: true })`) would append, with the same
 * derived ids, in one transaction instead of five, so the saga stream,
 * the wallets, the projections and the verifier see what they would have
 * seen; a crash leaves either all of it or nothing. In the log the wallets'
 * events come first and the saga's last, as in the stepped run, so the
 * saga's last event is still the position to read the movement at.
 *
 * Only the run that completes the saga is taken this way. Anything else
 * (a step the wallet refuses, a command already seen, a job due, a wallet
 * not held, a stream another writer moved, the saga stream already there)
 * answers undefined having written nothing, and the caller records the
 * request and runs the steps one at a time, which decides refusals on the
 * wallets' latest state and compensates as before.
 */
export async function runTogether(
  deps: {
    readonly streams: SagaStreamsTogether;
    readonly wallets: WalletsTogether;
    readonly clock: () => Date;
  },
  stream: string,
  request: { commandId: string },
  context: CommandContext,
): Promise<{ readonly saga: SagaState; readonly position: Position } | undefined> {
  const started = deps.streams.decideNew(stream, [{ command: request, context }]);
  if (typeof started === 'string') return undefined;
  const { saga: definition, state: requested, summary } = started.saga;
  if (summary?.status !== 'pending' || !definition.inlineLease?.(requested)) return undefined;
  return deps.wallets.together(summary.walletIds, async (held) => {
    const at = deps.clock().toISOString();
    const stepContext = { correlationId: stream, causationId: request.commandId };
    let state = requested;
    const outcomes: StepOutcome[] = [];
    for (let steps = 0; steps < MAX_STEPS_PER_ADVANCE; steps++) {
      if (definition.jobs(state, stream).length > 0) return undefined;
      const [action] = definition.next(state, stream, at);
      if (!action) break;
      if (typeof held.decide(action.walletId, action.command, stepContext) === 'string')
        return undefined;
      const outcome: StepOutcome = { step: action.step, result: { ok: true }, at };
      const folded = foldStep(definition, state, stream, outcome);
      if (folded === undefined) return undefined;
      outcomes.push(outcome);
      state = folded;
    }
    if (outcomes.length === 0 || definition.summary(state)?.status !== 'completed')
      return undefined;
    const record = definition.recordSteps?.(stream, outcomes) as { commandId: string } | undefined;
    if (!record) return undefined;
    const whole = deps.streams.decideNew(
      stream,
      [{ command: record, context: { correlationId: stream, causationId: request.commandId } }],
      started,
    );
    if (typeof whole === 'string') return undefined;
    const results = await held.commit([
      { streamId: stream, events: whole.decided.events, expected: 'no_stream' },
    ]);
    if (!results) return undefined;
    const recorded = must(results.at(-1), "the saga's append");
    deps.streams.adopt(stream, whole.decided, recorded.nextRevision);
    return { saga: whole.saga, position: recorded.position };
  });
}

/**
 * The state after a successful step's outcome, as recording it would leave
 * it (the saga's own pure decide and evolve); undefined when the decider
 * would not take it as it stands, so it is recorded for the stream to decide.
 */
export function foldStep(
  saga: SagaState['saga'],
  state: unknown,
  movementId: string,
  outcome: StepOutcome,
): unknown {
  const decided = saga.decide(
    saga.recordStep(movementId, outcome.step, outcome.result, outcome.at),
    state,
  );
  if (typeof decided === 'string') return undefined;
  return decided.reduce((folded: unknown, event) => saga.evolve(folded, event), state);
}
