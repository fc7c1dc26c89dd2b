import type { MovementRejection } from './movement.rejections';
import type { SagaDefinition, SagaEvent, SagaKind } from './saga';
import { topUpSaga } from './top-up/top-up.decider';
import { transferSaga } from './transfer/transfer.decider';
import { withdrawalSaga } from './withdrawal/withdrawal.decider';

/** A saga definition with its state and command types erased, for code that serves every kind. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySaga = SagaDefinition<any, any, SagaEvent, MovementRejection>;

export const SAGAS: Readonly<Record<SagaKind, AnySaga>> = {
  transfer: transferSaga,
  topup: topUpSaga,
  withdrawal: withdrawalSaga,
};
