import { useState, type FormEvent } from 'react';
import { api, idempotencyKey } from '../api/client';
import { explain, useProblem } from '../errors';
import { useLive } from '../live';
import { followMovement } from '../movements';
import { formatMinor, parseAmount } from '../money';
import { useNotify } from '../notifications';
import { Link, navigate } from '../router';
import { useMe } from '../session';
import { AmountField, Empty, Field, FormError, Loading, SelectField } from '../ui';
import { useWalletChoice } from '../wallets';
import { WalletPicker } from './WalletPicker';

interface Destination {
  id: string;
  label: string;
  type: string;
}

/** M-Pesa in the destination list: the payout goes to the phone number on the profile. */
const MPESA = 'mpesa';

/**
 * Withdraw to a linked bank account or, from a KES wallet whose owner has a
 * phone number on the profile, to M-Pesa; each withdrawal and each new
 * account asks for a 2FA code.
 */
export function Withdraw() {
  const me = useMe();
  const notify = useNotify();
  const { wallets, wallet: shown, choose } = useWalletChoice();
  const destinations = useLive(async () => {
    const { data } = await api.GET('/payout-destinations');
    return (data as { items?: Destination[] } | undefined)?.items ?? [];
  }, []);
  const { problem, setProblem, fieldError, formError } = useProblem();
  const [busy, setBusy] = useState(false);
  const [addingAccount, setAddingAccount] = useState(false);

  if (!me.emailVerified || !me.twoFactorEnabled) {
    return (
      <main>
        <h1>Withdraw</h1>
        <Empty>
          Withdrawals need a verified e-mail address and two-step verification.{' '}
          <Link href="/security">Set them up under Security</Link>.
        </Empty>
      </main>
    );
  }
  if (!wallets || !destinations.data) return <Loading what="your wallets and bank accounts" />;
  if (!shown) return <Loading what="your wallets" />;
  const wallet = shown;
  const mpesaOffered = wallet.currency === 'KES' && !!me.phone;

  async function send(event: FormEvent<HTMLFormElement>, linking: boolean) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const code = text('code');
    if (!/^\d{6}$|^[A-Za-z0-9-]{8,}$/.test(code))
      return setProblem({
        text: 'Enter the 6-digit code from your authenticator app.',
        field: 'code',
      });
    const headers = { 'Idempotency-Key': idempotencyKey(), 'X-2FA-Code': code };
    setBusy(true);
    setProblem(null);
    if (linking) {
      const { error, response } = await api.POST('/payout-destinations', {
        params: { header: headers },
        body: { type: 'bank_account', providerRef: text('providerRef'), label: text('label') },
      });
      setBusy(false);
      if (!response.ok) return setProblem(explain(error, response.status));
      notify('success', 'Bank account linked.');
      setAddingAccount(false);
      return destinations.reload();
    }
    const amount = parseAmount(text('amount'), wallet.currency);
    if (!amount.ok) {
      setBusy(false);
      return setProblem({ text: amount.problem, field: 'amount' });
    }
    const destination = text('destination');
    const { data, error, response } = await api.POST('/withdrawals', {
      params: { header: headers },
      body: {
        walletId: wallet.id,
        amountMinor: amount.minor.toString(),
        currency: wallet.currency,
        ...(destination === MPESA ? { method: 'mpesa' as const } : { destinationId: destination }),
      },
    });
    setBusy(false);
    if (!response.ok) return setProblem(explain(error, response.status));
    notify('info', `Withdrawal of ${formatMinor(amount.minor, wallet.currency)} requested.`);
    navigate('/');
    void followMovement((data as unknown as { id: string }).id, notify);
  }

  const codeField = (
    <Field
      label="Code from your authenticator app"
      name="code"
      inputMode="numeric"
      autoComplete="one-time-code"
      required
      error={fieldError('code')}
    />
  );

  const otherWays = destinations.data.length > 0 || mpesaOffered;
  if (!otherWays || addingAccount) {
    return (
      <main>
        <h1>Link a bank account</h1>
        <form onSubmit={(e) => send(e, true)} noValidate aria-label="Link a bank account">
          <Field label="Name of the account" name="label" defaultValue="Main account" required />
          <Field label="Bank account reference" name="providerRef" hint="Such as ba_123" required />
          {codeField}
          <FormError text={problem && !problem.field ? problem.text : undefined} />
          <div className="row">
            <button type="submit" disabled={busy}>
              Link account
            </button>
            {otherWays && (
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  setProblem(null);
                  setAddingAccount(false);
                }}
              >
                Cancel
              </button>
            )}
          </div>
        </form>
      </main>
    );
  }

  return (
    <main>
      <h1>Withdraw</h1>
      <form onSubmit={(e) => send(e, false)} noValidate aria-label="Withdraw">
        <WalletPicker wallets={wallets} value={wallet.id} onChange={choose} />
        <SelectField label="To" name="destination" error={fieldError('method')}>
          {destinations.data.map((d) => (
            <option key={d.id} value={d.id}>
              {d.label}
            </option>
          ))}
          {mpesaOffered && <option value={MPESA}>M-Pesa ({me.phone})</option>}
        </SelectField>
        <AmountField currency={wallet.currency} error={fieldError('amount')} />
        {codeField}
        <FormError text={formError(['code', 'amount', 'method'])} />
        <button type="submit" disabled={busy}>
          {busy ? 'Please wait…' : 'Withdraw'}
        </button>
      </form>
      <p>
        <button
          type="button"
          className="link"
          onClick={() => {
            setProblem(null);
            setAddingAccount(true);
          }}
        >
          {destinations.data.length > 0 ? 'Link another bank account' : 'Link a bank account'}
        </button>
      </p>
    </main>
  );
}
