import {
  deriveId,
  sagaStreamId,
  StartTransferCommand,
  type CommandContext,
  type TransferRequest,
} from '@ledger/ledger';
import type { DatabaseFactory, TestDatabase } from '../test-databases';
import { AT, MovementProcess } from './harness';

/**
 * The set-up the movement specs share (the saga drivers' and the inline
 * runs'): one database per file with one movement process over it, the
 * wallets a movement runs between, and a transfer request recorded as the
 * transfer handler records it once its checks have passed. Tests share the
 * database and are isolated by the ids they derive.
 */
export interface MovementSpec {
  readonly database: TestDatabase;
  readonly proc: MovementProcess;
}

/** A database from `factory` and a process over it; `worker` also starts its job runner and provider feed. */
export async function openMovementSpec(
  factory: DatabaseFactory,
  options: { worker?: boolean } = {},
): Promise<MovementSpec> {
  const database = await factory.create();
  const proc = new MovementProcess(database.db);
  return { database, proc: options.worker ? proc.startWorker() : proc };
}

/** Stops the process and its provider and drops the database; what a failed open left out is skipped. */
export async function closeMovementSpec(spec: Partial<MovementSpec>): Promise<void> {
  await spec.proc?.close();
  spec.proc?.gateway.close();
  await spec.database?.drop();
}

/**
 * The two wallets of a movement, with ids derived from `key`: alice's in USD,
 * funded with `fund`, sends; bob's, in `toCurrency`, receives.
 */
export async function openWalletPair(
  proc: MovementProcess,
  key: readonly string[],
  options: { fund?: bigint; toCurrency?: string } = {},
): Promise<{ from: string; to: string }> {
  const [from, to] = [deriveId(...key, 'a'), deriveId(...key, 'b')];
  await proc.openWallet(from, 'alice', 'USD', options.fund ?? 1_000n);
  await proc.openWallet(to, 'bob', options.toCurrency ?? 'USD');
  return { from, to };
}

/**
 * A transfer of `amountMinor` USD from alice's wallet to bob's, requested on
 * `transfer-<transferId>` as the transfer handler requests it: the recipient
 * resolved and the rate fixed. Answers the movement's id (its stream).
 */
export async function requestTransferOn(
  proc: MovementProcess,
  transferId: string,
  wallets: { from: string; to: string },
  options: {
    amountMinor?: bigint;
    creditAmountMinor?: bigint;
    creditCurrency?: string;
    fx?: Pick<TransferRequest, 'fxRate' | 'fxSource'>;
    /** The request's correlation id, as the route would pass it. */
    context?: CommandContext;
  } = {},
): Promise<string> {
  const movementId = sagaStreamId('transfer', transferId);
  const amountMinor = options.amountMinor ?? 300n;
  const request: TransferRequest = {
    transferId,
    requestedBy: 'alice',
    fromWalletId: wallets.from,
    fromOwnerId: 'alice',
    toWalletId: wallets.to,
    toOwnerId: 'bob',
    amountMinor,
    currency: 'USD',
    creditAmountMinor: options.creditAmountMinor ?? amountMinor,
    creditCurrency: options.creditCurrency ?? 'USD',
    ...options.fx,
    at: AT,
  };
  const outcome = await proc.streams.record(
    movementId,
    { type: 'StartTransfer', commandId: `req-${transferId}`, request },
    options.context,
  );
  if (!outcome.ok) throw new Error(`Transfer ${movementId} not requested: ${outcome.rejection}`);
  return movementId;
}

/** The saga's summary (status, phase, failure reason) from its stream. */
export async function sagaSummary(proc: MovementProcess, movementId: string) {
  return (await proc.streams.replay(movementId))?.summary;
}

/** The types of a stream's events, in order. */
export async function eventTypes(proc: MovementProcess, streamId: string): Promise<string[]> {
  return (await proc.store.readStream(streamId)).map((e) => e.type);
}

/** Alice's transfer of `amountMinor` USD from one wallet to another, as the route sends it to its handler. */
export function transferCommand(from: string, to: string, commandId: string, amountMinor = 300n) {
  return new StartTransferCommand({
    caller: { userId: 'alice', actsForOthers: false },
    commandId,
    fromWalletId: from,
    to: { walletId: to },
    amountMinor,
    currency: 'USD',
  });
}
