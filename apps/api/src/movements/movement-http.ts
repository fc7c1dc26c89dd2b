import { formatPosition } from '@ledger/event-store';
import type { Principal } from '@ledger/identity';
import { parseAmountMinor, type Caller, type MovementStarted } from '@ledger/ledger';
import { RejectionException } from '../http/rejection';

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
  if (typeof amount !== 'bigint') throw new RejectionException('amount_must_be_positive');
  return amount;
}

/** 202 body for an accepted movement; a refusal becomes its named rejection. */
export function acceptedOrThrow(started: MovementStarted) {
  if (!started.ok) throw new RejectionException(started.rejection);
  return {
    id: started.movementId,
    status: started.status,
    ...(started.position && { position: formatPosition(started.position) }),
    ...(started.clientSecret && { clientSecret: started.clientSecret }),
  };
}
