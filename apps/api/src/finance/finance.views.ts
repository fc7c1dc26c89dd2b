import { formatPosition } from '@ledger/event-store';
import { isFinanceRefused, type FinanceAdjustment, type FinanceRefused } from '@ledger/finance';
import type { AdjustmentAnswer } from '@ledger/finance/nest';
import { RejectionException } from '../http/rejection';

/** An adjustment request over HTTP: amounts as strings, like every amount the API returns. */
export function adjustmentView(a: FinanceAdjustment) {
  return { ...a, amountMinor: a.amountMinor.toString() };
}

/** A posted adjustment with the position to wait for, or one awaiting approval. */
export function answerView(answer: AdjustmentAnswer) {
  const position = answer.kind === 'posted' && answer.outcome.ok && answer.outcome.position;
  return {
    adjustment: adjustmentView(answer.adjustment),
    ...(position && { position: formatPosition(position) }),
  };
}

/** A finance answer, or its refusal thrown as the route's problem. */
export function orReject<T>(answer: T | FinanceRefused): T {
  if (isFinanceRefused(answer)) throw new RejectionException(answer.refused, answer.detail);
  return answer;
}

/** bigint → string everywhere in a response body. */
export function stringify<T>(value: T): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  );
}
