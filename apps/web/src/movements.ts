import { api } from './api/client';
import { explain } from './errors';
import { formatMinor } from './money';

const FOLLOW_LIMIT = 60;
const FOLLOW_MS = 1000;

/** A movement's kind in words, as the statement and the notices say it. */
export const KIND_WORDS: Readonly<Record<string, string>> = {
  top_up: 'Top-up',
  transfer: 'Transfer',
  withdrawal: 'Withdrawal',
  payment: 'Payment',
  refund: 'Refund',
  adjustment: 'Adjustment',
};

/**
 * Follows a movement until it settles and says how it ended. Bounded: a
 * movement still pending after a minute is left to the statement, which
 * shows it as pending.
 */
export async function followMovement(
  id: string,
  notify: (tone: 'success' | 'failure' | 'info', text: string) => void,
): Promise<void> {
  for (let attempt = 0; attempt < FOLLOW_LIMIT; attempt++) {
    const { data } = await api.GET('/movements/{id}', { params: { path: { id } } });
    if (data && data.status !== 'pending') {
      const what = `${KIND_WORDS[data.kind] ?? 'Movement'} of ${formatMinor(data.amountMinor, data.currency)}`;
      if (data.status === 'completed') notify('success', `${what} completed.`);
      else
        notify(
          'failure',
          `${what} failed: ${explain({ error: data.failureReason }).text} Nothing was taken.`,
        );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_MS));
  }
  notify('info', 'The movement is still being processed; the statement shows how it ends.');
}
