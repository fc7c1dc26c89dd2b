import type { FinanceRefusalCode, FinanceRefused } from '../finance.rejections';

/**
 * A refusal thrown inside a finance step, where checks run several calls
 * deep; it never leaves a handler, which answers it as a `FinanceRefused`.
 */
export class FinanceRefusal extends Error {
  constructor(
    readonly refused: FinanceRefusalCode,
    readonly detail?: string,
  ) {
    super(refused);
    this.name = 'FinanceRefusal';
  }
}

/** What `work` answers, or the refusal it threw as a value. */
export async function refusedAsValue<T>(work: () => Promise<T>): Promise<T | FinanceRefused> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof FinanceRefusal)) throw error;
    return error.detail === undefined
      ? { refused: error.refused }
      : { refused: error.refused, detail: error.detail };
  }
}
