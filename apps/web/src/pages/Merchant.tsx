import { useState, type FormEvent } from 'react';
import { api, idempotencyKey } from '../api/client';
import type { components } from '../api/openapi';
import { explain, useProblem } from '../errors';
import { useLive } from '../live';
import { formatMinor, parseAmount } from '../money';
import { useNotify } from '../notifications';
import { useMe } from '../session';
import { Field, FormError, Loading } from '../ui';

type Payment = components['schemas']['PaymentItemView'];

const STATUS: Record<Payment['status'], string> = {
  pending: 'Pending',
  completed: 'Completed',
  failed: 'Failed',
};

/** The merchant's view: payments received, newest first, each with what was refunded and what is left. */
export function Merchant() {
  const me = useMe();
  const [reference, setReference] = useState('');
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const live = useLive(async () => {
    const { data, error, response } = await api.GET('/payments', {
      params: { query: { ...(reference && { reference }), ...(cursor && { cursor }), limit: 20 } },
    });
    if (!data) throw new Error(explain(error, response.status).text);
    return data;
  }, [reference, cursor]);

  function filter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCursor(undefined);
    setReference(String(new FormData(event.currentTarget).get('reference') ?? '').trim());
  }

  return (
    <main>
      <h1>Payments received</h1>
      <p>
        Your merchant id, for customers to pay you: <code data-testid="merchant-id">{me.id}</code>
      </p>
      <form className="filters" onSubmit={filter} aria-label="Filter payments">
        <Field label="Order reference" name="reference" defaultValue={reference} />
        <button type="submit">Filter</button>
      </form>
      {live.data === undefined ? (
        live.failed ? (
          <p className="error">The payments cannot be read right now.</p>
        ) : (
          <Loading what="payments" />
        )
      ) : live.data.items.length === 0 ? (
        <p className="empty">
          {reference ? `No payment for order ${reference}.` : 'No payments received yet.'}
        </p>
      ) : (
        <ul className="payments" aria-label="Payments">
          {live.data.items.map((p) => (
            <PaymentRow key={p.id} payment={p} onRefunded={live.reload} />
          ))}
        </ul>
      )}
      {live.data?.nextCursor && (
        <div className="pager">
          <button
            type="button"
            className="secondary"
            onClick={() => setCursor(live.data?.nextCursor)}
          >
            Older payments
          </button>
        </div>
      )}
    </main>
  );
}

function PaymentRow({ payment: p, onRefunded }: { payment: Payment; onRefunded: () => void }) {
  const notify = useNotify();
  const [open, setOpen] = useState(false);
  const [whole, setWhole] = useState(true);
  const { problem, setProblem, fieldError } = useProblem();
  const [busy, setBusy] = useState(false);
  const money = (minor: string) => formatMinor(minor, p.currency);
  const refundable = BigInt(p.refundableMinor) > 0n && p.status === 'completed';

  async function refund(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    let minor = BigInt(p.refundableMinor);
    if (!whole) {
      const amount = parseAmount(String(form.get('amount') ?? ''), p.currency);
      if (!amount.ok) return setProblem({ text: amount.problem, field: 'refund-amount' });
      minor = amount.minor;
    }
    const reason = String(form.get('reason') ?? '').trim();
    setBusy(true);
    const { data, error, response } = await api.POST('/payments/{id}/refunds', {
      params: { path: { id: p.id }, header: { 'Idempotency-Key': idempotencyKey() } },
      body: { amountMinor: minor.toString(), ...(reason && { reason }) },
    });
    setBusy(false);
    if (!data) return setProblem(explain(error, response.status));
    setProblem(null);
    setOpen(false);
    notify(
      data.status === 'failed' ? 'failure' : 'success',
      data.status === 'failed'
        ? `The refund of ${money(minor.toString())} was refused.`
        : `${money(minor.toString())} refunded for order ${p.reference}.`,
    );
    onRefunded();
  }

  return (
    <li className="payment" data-testid={`payment-${p.reference}`}>
      <div className="facts">
        <strong className="amount">{money(p.amountMinor)}</strong>
        <span>Order {p.reference}</span>
        <span>{p.payer?.name ?? p.payer?.email ?? p.payer?.phone ?? 'A customer'}</span>
        <span>{STATUS[p.status]}</span>
        <span>{new Date(p.createdAt).toLocaleString()}</span>
      </div>
      <p data-testid="refund-totals">
        Refunded {money(p.refundedMinor)}
        {BigInt(p.refundPendingMinor) > 0n && `, ${money(p.refundPendingMinor)} on its way`}; left{' '}
        {money(p.refundableMinor)}
      </p>
      {refundable && !open && (
        <button type="button" className="secondary" onClick={() => setOpen(true)}>
          Refund…
        </button>
      )}
      {open && (
        <form onSubmit={refund} noValidate aria-label={`Refund order ${p.reference}`}>
          <fieldset className="segmented">
            <legend>Refund</legend>
            <label>
              <input type="radio" name="whole" checked={whole} onChange={() => setWhole(true)} />
              All that is left ({money(p.refundableMinor)})
            </label>
            <label>
              <input type="radio" name="whole" checked={!whole} onChange={() => setWhole(false)} />
              Part
            </label>
          </fieldset>
          {!whole && (
            <Field
              label={`Refund amount (${p.currency})`}
              name="amount"
              inputMode="decimal"
              required
              error={fieldError('refund-amount')}
            />
          )}
          <Field label="Reason (optional)" name="reason" maxLength={140} />
          <FormError
            text={
              problem && (problem.field !== 'refund-amount' || whole) ? problem.text : undefined
            }
          />
          <div className="row">
            <button type="submit" disabled={busy}>
              {busy ? 'Refunding…' : 'Refund'}
            </button>
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
