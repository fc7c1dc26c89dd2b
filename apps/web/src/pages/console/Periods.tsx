import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { components } from '../../api/openapi';
import { explain, useProblem } from '../../errors';
import { Empty, Field, FormError, Loading } from '../../ui';
import { Panel, useRoles } from './Panel';

type Seal = components['schemas']['PeriodSealView'];

function lastMonth(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
    .toISOString()
    .slice(0, 7);
}

/** Closed months with their signed seals; finance closes an ended month after a confirmation. */
export function PeriodsPanel() {
  const { isFinance } = useRoles();
  const [seals, setSeals] = useState<Seal[] | null>(null);
  const { problem, setProblem, fieldError, formError } = useProblem();
  const [month, setMonth] = useState(lastMonth);
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [sealed, setSealed] = useState<Seal | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    void (async () => {
      const { data, error, response } = await api.GET('/finance/periods', {
        params: { query: { limit: 24 } },
      });
      if (!response.ok || !data) return setProblem(explain(error, response.status));
      setSeals(data.items);
    })();
  }, [tick]);

  function ask(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setSealed(null);
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month.trim()))
      return setProblem({ text: 'Write the month as YYYY-MM, such as 2026-11.', field: 'period' });
    if (!reason.trim())
      return setProblem({ text: 'Say why the month is closed now.', field: 'reason' });
    setConfirming(true);
  }

  async function close() {
    setConfirming(false);
    const { data, error, response } = await api.POST('/finance/periods/{period}/close', {
      params: { path: { period: month.trim() } },
      body: { reason: reason.trim() },
    });
    if (!response.ok || !data) return setProblem(explain(error, response.status));
    setSealed(data);
    setReason('');
    setTick((t) => t + 1);
  }

  return (
    <Panel title="Period close" who="finance (auditors and admins read the seals)">
      {isFinance && (
        <form onSubmit={ask} noValidate aria-label="Close a month">
          <div className="row">
            <Field
              label="Month (YYYY-MM)"
              name="period"
              value={month}
              inputMode="numeric"
              onChange={(e) => setMonth(e.target.value)}
              error={fieldError('period')}
            />
            <Field
              label="Reason for closing"
              name="reason"
              value={reason}
              maxLength={500}
              onChange={(e) => setReason(e.target.value)}
              error={fieldError('reason')}
            />
          </div>
          {!confirming ? (
            <button type="submit">Close the month</button>
          ) : (
            <div role="alertdialog" aria-labelledby="close-confirm" className="notice">
              <p id="close-confirm">
                Close {month.trim()} for good? Its trial balance is sealed and signed, and nothing
                dated inside it can be posted afterwards.
              </p>
              <button type="button" autoFocus onClick={() => void close()}>
                Yes, close {month.trim()}
              </button>{' '}
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          )}
          <FormError text={formError(['period', 'reason'])} />
        </form>
      )}
      {!isFinance && <FormError text={problem?.text} />}
      {sealed && (
        <div role="status" data-testid="seal">
          <p>
            {sealed.period} is closed. Its seal, signed with key <code>{sealed.keyId}</code>:
          </p>
          <SealFacts seal={sealed} />
        </div>
      )}
      {!seals ? (
        problem ? null : (
          <Loading what="the closed months" />
        )
      ) : seals.length === 0 ? (
        <Empty>No month has been closed yet.</Empty>
      ) : (
        <div className="scroll">
          <table aria-label="Closed months">
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col">Closed at</th>
                <th scope="col">Reason</th>
                <th scope="col">Trial balance</th>
                <th scope="col">Seal</th>
              </tr>
            </thead>
            <tbody>
              {seals.map((s) => (
                <tr key={s.period}>
                  <td>{s.period}</td>
                  <td>{new Date(s.closedAt).toLocaleString()}</td>
                  <td>{s.reason}</td>
                  <td>
                    {s.trialBalance.length === 0
                      ? 'Nothing moved'
                      : s.trialBalance
                          .map((l) => `${l.currency} ${l.balanced ? 'balanced' : 'NOT balanced'}`)
                          .join(', ')}
                  </td>
                  <td>
                    <code title={s.trialBalanceHash}>{s.trialBalanceHash.slice(0, 12)}…</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function SealFacts({ seal }: { seal: Seal }) {
  return (
    <dl className="facts">
      <div>
        <dt>Period</dt>
        <dd>
          {seal.from.slice(0, 10)} to {seal.to.slice(0, 10)} (end exclusive)
        </dd>
      </div>
      <div>
        <dt>Log position</dt>
        <dd>{seal.position}</dd>
      </div>
      <div>
        <dt>Trial balance hash</dt>
        <dd>
          <code className="wrap">{seal.trialBalanceHash}</code>
        </dd>
      </div>
      <div>
        <dt>Signature</dt>
        <dd>
          <code className="wrap">{seal.signature}</code>
        </dd>
      </div>
    </dl>
  );
}
