import { useState, type FormEvent } from 'react';
import { api, idempotencyKey } from '../../api/client';
import type { components } from '../../api/openapi';
import { explain, type Explained } from '../../errors';
import { formatMinor, parseAmount } from '../../money';
import { Field, FormError, SelectField } from '../../ui';

type Fields = components['schemas']['AdjustmentDto'];
type Account = Fields['account'];

const ACCOUNTS: readonly Account[] = [
  'adjustments',
  'suspense',
  'card_clearing',
  'payouts_clearing',
  'fees',
  'fx',
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Asks for an adjustment between a wallet and a system account, or a
 * reversal of one of the wallet's entries (`reverses`), and says what
 * happened: posted at once, or (above the approval threshold) waiting for a
 * finance user other than the one who asked. With `breakId` the adjustment
 * resolves that reconciliation break (POST /finance/breaks/{id}/resolve);
 * without, it goes to POST /wallets/{id}/adjustments.
 */
export function AdjustmentForm(props: {
  breakId?: string;
  currency?: string;
  amountMinor?: string;
  onDone: (text: string) => void;
}) {
  const [problem, setProblem] = useState<Explained | null>(null);
  const [busy, setBusy] = useState(false);
  const resolving = props.breakId !== undefined;
  // The API names the wallet field after a transfer's recipient; here it is the wallet.
  const fieldOf = (p: Explained | null) => (p?.field === 'recipient' ? 'wallet' : p?.field);
  const fieldError = (name: string) => (fieldOf(problem) === name ? problem?.text : undefined);
  const onScreen = ['wallet', 'amount', 'currency', 'reason', 'direction', 'reverses'];

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const walletId = text('wallet');
    if (!UUID.test(walletId))
      return setProblem({
        text: 'A wallet id looks like 8-4-4-4-12 letters and digits.',
        field: 'wallet',
      });
    const currency = text('currency').toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency))
      return setProblem({
        text: 'Write the currency as three letters, such as EUR.',
        field: 'currency',
      });
    const amount = parseAmount(text('amount'), currency);
    if (!amount.ok) return setProblem({ text: amount.problem, field: 'amount' });
    const reason = text('reason');
    if (reason.length < 3) return setProblem({ text: 'Say why, in a few words.', field: 'reason' });
    const reverses = text('reverses');
    if (reverses && !UUID.test(reverses))
      return setProblem({
        text: 'An entry id looks like 8-4-4-4-12 letters and digits.',
        field: 'reverses',
      });
    const body: Fields = {
      direction: text('direction') === 'debit' ? 'debit' : 'credit',
      amountMinor: amount.minor.toString(),
      currency,
      account: ACCOUNTS.find((a) => a === text('account')) ?? 'adjustments',
      reason,
      ...(reverses && !resolving && { reverses }),
    };
    setProblem(null);
    setBusy(true);
    const headers = { 'Idempotency-Key': idempotencyKey() };
    const answer = props.breakId
      ? await api.POST('/finance/breaks/{id}/resolve', {
          params: { path: { id: props.breakId }, header: headers },
          body: { ...body, walletId },
        })
      : await api.POST('/wallets/{id}/adjustments', {
          params: { path: { id: walletId }, header: headers },
          body,
        });
    setBusy(false);
    if (!answer.response.ok) return setProblem(explain(answer.error, answer.response.status));
    const what = `The ${formatMinor(amount.minor, currency)} ${reverses && !resolving ? 'reversal' : 'adjustment'}`;
    props.onDone(
      answer.response.status === 202
        ? `${what} awaits approval: a finance user other than you has to approve it under Adjustments.`
        : `${what} is posted${resolving ? ' and the break resolved' : ''}.`,
    );
  }

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={resolving ? `Resolve break ${props.breakId ?? ''}` : 'Ask for an adjustment'}
    >
      <div className="row">
        <Field label="Wallet id" name="wallet" autoComplete="off" error={fieldError('wallet')} />
        <SelectField label="Direction" name="direction" error={fieldError('direction')}>
          <option value="credit">Credit (raises the balance)</option>
          <option value="debit">Debit (lowers the balance)</option>
        </SelectField>
        <Field
          label="Amount"
          name="amount"
          inputMode="decimal"
          defaultValue={
            props.amountMinor && props.currency
              ? formatMinor(props.amountMinor, props.currency).replace(/[^\d.,]/g, '')
              : undefined
          }
          error={fieldError('amount')}
        />
        <Field
          label="Currency"
          name="currency"
          defaultValue={props.currency ?? 'EUR'}
          maxLength={3}
          error={fieldError('currency')}
        />
        <div className="field">
          <label htmlFor={`account-${props.breakId ?? 'new'}`}>Other side</label>
          <select id={`account-${props.breakId ?? 'new'}`} name="account">
            {ACCOUNTS.map((a) => (
              <option key={a} value={a}>
                system:{a}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Field label="Reason" name="reason" maxLength={500} error={fieldError('reason')} />
      {!resolving && (
        <Field
          label="Reverses entry (optional)"
          name="reverses"
          autoComplete="off"
          hint="An entry id of this wallet: a reversal moves the opposite way, at most what is left of it."
          error={fieldError('reverses')}
        />
      )}
      <FormError
        text={problem && !onScreen.includes(fieldOf(problem) ?? '') ? problem.text : undefined}
      />
      <button type="submit" disabled={busy}>
        {busy ? 'Sending…' : resolving ? 'Resolve with this adjustment' : 'Ask for it'}
      </button>
    </form>
  );
}
