/**
 * Daraja's callbacks, reduced to what the ledger acts on. They are not signed:
 * nothing in them is believed. They only say which request to ask about (the
 * STK push's `CheckoutRequestID`, the B2C payment's `ConversationID`); the
 * answer the ledger records comes from a status query it makes itself.
 */
export type MpesaCallbackLeg = 'stk' | 'result' | 'timeout' | 'status';

export const MPESA_CALLBACK_LEGS: readonly MpesaCallbackLeg[] = [
  'stk',
  'result',
  'timeout',
  'status',
];

export type MpesaCallback =
  /** An STK push ended (paid, cancelled, timed out on the phone). */
  | { readonly leg: 'stk'; readonly checkoutRequestId: string; readonly resultCode: number }
  /** A B2C payment's result, or its queue timeout. */
  | {
      readonly leg: 'result' | 'timeout';
      readonly conversationId: string;
      readonly resultCode?: number;
    }
  /**
   * The answer to the ledger's own transaction status query. `payoutId` is the
   * B2C ConversationID the query was about, which the query carries in `Occasion`.
   */
  | {
      readonly leg: 'status';
      readonly payoutId: string;
      readonly resultCode: number;
      readonly transactionStatus?: string;
    };

const ID = /^[A-Za-z0-9_-]{1,100}$/;

/** Undefined when the body is not the shape Daraja sends on that leg. */
export function parseMpesaCallback(
  leg: MpesaCallbackLeg,
  body: unknown,
): MpesaCallback | undefined {
  if (leg === 'stk') {
    const cb = at(body, 'Body', 'stkCallback');
    const checkoutRequestId = at(cb, 'CheckoutRequestID');
    const resultCode = at(cb, 'ResultCode');
    if (!isId(checkoutRequestId) || typeof resultCode !== 'number') return undefined;
    return { leg, checkoutRequestId, resultCode };
  }
  const result = at(body, 'Result');
  const resultCode = at(result, 'ResultCode');
  if (leg === 'status') {
    const payoutId = referenceItem(result, 'Occasion');
    if (!isId(payoutId) || typeof resultCode !== 'number') return undefined;
    const status = resultParameter(result, 'TransactionStatus');
    return {
      leg,
      payoutId,
      resultCode,
      ...(typeof status === 'string' && { transactionStatus: status }),
    };
  }
  const conversationId = at(result, 'ConversationID');
  if (!isId(conversationId)) return undefined;
  return { leg, conversationId, ...(typeof resultCode === 'number' && { resultCode }) };
}

function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = Object.prototype.hasOwnProperty.call(current, key)
      ? (current as Record<string, unknown>)[key]
      : undefined;
  }
  return current;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

/** Daraja sends one `ReferenceItem` as an object and several as an array. */
function referenceItem(result: unknown, key: string): unknown {
  return findKeyed(at(result, 'ReferenceData', 'ReferenceItem'), key);
}

function resultParameter(result: unknown, key: string): unknown {
  return findKeyed(at(result, 'ResultParameters', 'ResultParameter'), key);
}

function findKeyed(items: unknown, key: string): unknown {
  const list = Array.isArray(items) ? items.slice(0, 50) : [items];
  for (const item of list) if (at(item, 'Key') === key) return at(item, 'Value');
  return undefined;
}
