import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { components } from '../../api/openapi';
import { explain, useProblem } from '../../errors';
import { formatMinor } from '../../money';
import { useMe } from '../../session';
import { Empty, Field, FormError, Loading } from '../../ui';
import { AdjustmentForm } from './AdjustmentForm';
import { StatusList, useStatusList } from './PagedList';
import { Panel } from './Panel';

type Schemas = components['schemas'];
/** A break as a run reports it or as finance keeps it (with its note). */
type ReconciliationBreak = Schemas['ReportedBreakView'] &
  Partial<Pick<Schemas['StoredBreakView'], 'note'>>;
type Report = Schemas['ReconciliationView'];
type Seal = Schemas['PeriodSealView'];
type Adjustment = Schemas['FinanceAdjustmentView'];
type BreakStatus = Schemas['StoredBreakView']['status'];

const KIND_WORDS: Record<string, string> = {
  missing_at_provider: 'Missing at the provider',
  missing_in_ledger: 'Missing in the ledger',
  amount_mismatch: 'Amounts differ',
  currency_mismatch: 'Currencies differ',
  date_mismatch: 'Dates too far apart',
  status_mismatch: 'Statuses differ',
  missing_in_read_model: 'Missing in the read models',
  read_model_mismatch: 'Read model differs',
  clearing_overdue: 'Clearing overdue',
  clearing_mismatch: 'Clearing account differs',
};
const kindInWords = (kind: string) => KIND_WORDS[kind] ?? kind;

/** The first day of this month and of the next, as the API's from and to. */
function thisMonth(): { from: string; to: string } {
  const now = new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

function lastMonth(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
    .toISOString()
    .slice(0, 7);
}

function useRoles() {
  const me = useMe();
  return { me, isFinance: me.roles.includes('finance') };
}

/**
 * Runs the reconciliation of a period (nothing written), downloads it as
 * CSV, and for finance records the breaks it found.
 */
export function ReconciliationPanel({ onRecorded }: { onRecorded: () => void }) {
  const { isFinance } = useRoles();
  const [period, setPeriod] = useState(thisMonth);
  const [report, setReport] = useState<Report | null>(null);
  const { setProblem, fieldError, formError } = useProblem();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();

  async function run(record: boolean) {
    setProblem(null);
    setDone(undefined);
    setBusy(true);
    const answer = record
      ? await api.POST('/finance/reconciliation', { body: period })
      : await api.GET('/finance/reconciliation', { params: { query: period } });
    setBusy(false);
    if (!answer.response.ok) return setProblem(explain(answer.error, answer.response.status));
    // Without Accept: text/csv the answer is the JSON report.
    const data = answer.data as Report;
    setReport(data);
    if (record) {
      setDone(
        data.breaks.length === 0
          ? 'No breaks found: nothing to record.'
          : `${data.breaks.length} break(s) recorded for finance to work through.`,
      );
      onRecorded();
    }
  }

  async function download() {
    setProblem(null);
    const { data, error, response } = await api.GET('/finance/reconciliation', {
      params: { query: period },
      headers: { Accept: 'text/csv' },
      parseAs: 'text',
    });
    if (!response.ok || typeof data !== 'string')
      return setProblem(explain(error, response.status));
    const url = URL.createObjectURL(new Blob([data], { type: 'text/csv' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `reconciliation-${period.from}-${period.to}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  const missing = report?.breaks.filter((b) => b.kind.startsWith('missing_')).length ?? 0;
  const mismatched = (report?.breaks.length ?? 0) - missing;
  return (
    <Panel title="Reconciliation" who="finance, auditors and admins; finance records the breaks">
      <form
        className="row"
        aria-label="Reconcile a period"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void run(false);
        }}
      >
        <Field
          label="From (inclusive)"
          name="from"
          type="date"
          value={period.from}
          required
          onChange={(e) => setPeriod({ ...period, from: e.target.value })}
          error={fieldError('period')}
        />
        <Field
          label="To (exclusive)"
          name="to"
          type="date"
          value={period.to}
          required
          onChange={(e) => setPeriod({ ...period, to: e.target.value })}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Reconciling…' : 'Run the report'}
        </button>
        <button type="button" onClick={() => void download()}>
          Download CSV
        </button>
        {isFinance && (
          <button type="button" disabled={busy} onClick={() => void run(true)}>
            Record the breaks
          </button>
        )}
      </form>
      <FormError text={formError(['period'])} />
      <p role="status">{done ?? ''}</p>
      {report && (
        <div data-testid="reconciliation">
          <dl className="facts">
            <div>
              <dt>Matched</dt>
              <dd data-testid="matched">{report.matched.length}</dd>
            </div>
            <div>
              <dt>Missing</dt>
              <dd data-testid="missing">{missing}</dd>
            </div>
            <div>
              <dt>Mismatched</dt>
              <dd data-testid="mismatched">{mismatched}</dd>
            </div>
            <div>
              <dt>Movements read</dt>
              <dd>{report.movements}</dd>
            </div>
          </dl>
          {report.truncated && (
            <p className="error">
              More movements fell in this period than one run reads: reconcile a shorter one.
            </p>
          )}
          <p>
            Providers:{' '}
            {report.providers
              .map(
                (p) =>
                  `${p.provider} (${p.rail}): ${p.items} item(s), report ${p.report.replace('_', ' ')}`,
              )
              .join('; ')}
          </p>
          {report.clearing === null ? (
            <Empty>The balance history does not reach back to the start of this period.</Empty>
          ) : report.clearing.length === 0 ? (
            <Empty>No clearing account moved in this period.</Empty>
          ) : (
            <div className="scroll">
              <table aria-label="Clearing lines">
                <thead>
                  <tr>
                    <th scope="col">Account</th>
                    <th scope="col" className="amount">
                      Opening
                    </th>
                    <th scope="col" className="amount">
                      Settled
                    </th>
                    <th scope="col" className="amount">
                      Expected
                    </th>
                    <th scope="col" className="amount">
                      Actual
                    </th>
                    <th scope="col" className="amount">
                      Difference
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {report.clearing.map((c) => (
                    <tr key={`${c.account}-${c.currency}`}>
                      <td>
                        {c.account.replace('system:', '')} {c.currency}
                      </td>
                      <td className="amount">{formatMinor(c.openingMinor, c.currency)}</td>
                      <td className="amount">{formatMinor(c.settledMinor, c.currency)}</td>
                      <td className="amount">{formatMinor(c.expectedMinor, c.currency)}</td>
                      <td className="amount">{formatMinor(c.actualMinor, c.currency)}</td>
                      <td className="amount">{formatMinor(c.differenceMinor, c.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {report.breaks.length > 0 && (
            <ul aria-label="Breaks in this report">
              {report.breaks.map((b) => (
                <li key={b.id}>
                  {kindInWords(b.kind)}: <code>{b.objectId}</code> — {b.detail}
                  {b.status && ` (${b.status})`}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Panel>
  );
}

/**
 * Stored breaks by status; finance explains an open one with a reason or
 * resolves it with an adjustment (which may wait for a second finance user).
 */
export function BreaksPanel({ version }: { version: number }) {
  const { isFinance } = useRoles();
  const [resolving, setResolving] = useState<string | null>(null);
  const breaks = useStatusList<BreakStatus, ReconciliationBreak>(
    'open',
    (query) => api.GET('/finance/breaks', { params: { query } }),
    [version],
  );

  return (
    <Panel
      title="Reconciliation breaks"
      who="finance, auditors and admins; finance explains them or resolves them with an adjustment"
    >
      <StatusList
        state={breaks}
        filter={{
          id: 'break-status',
          label: 'Show breaks that are',
          options: [
            ['open', 'Open'],
            ['explained', 'Explained'],
            ['resolved', 'Resolved'],
          ],
        }}
        noticeId="break-result"
        what="the breaks"
        empty={`No ${breaks.status} breaks.`}
        moreText="More breaks"
      >
        {(items) => (
          <ul className="breaks" aria-label="Stored breaks">
            {items.map((b) => (
              <li key={b.id}>
                <p>
                  <strong>{kindInWords(b.kind)}</strong> at {b.provider}: <code>{b.objectId}</code>{' '}
                  — {b.detail}
                  {b.note && <> Note: {b.note}</>}
                </p>
                {isFinance && b.status === 'open' && (
                  <ExplainForm id={b.id} onDone={breaks.list.reload} />
                )}
                {isFinance &&
                  b.status !== 'resolved' &&
                  (resolving === b.id ? (
                    <AdjustmentForm
                      breakId={b.id}
                      currency={b.currency}
                      onDone={(text) => {
                        breaks.setNotice(text);
                        setResolving(null);
                        breaks.list.reload();
                      }}
                    />
                  ) : (
                    <button type="button" className="secondary" onClick={() => setResolving(b.id)}>
                      Resolve with an adjustment…
                    </button>
                  ))}
              </li>
            ))}
          </ul>
        )}
      </StatusList>
    </Panel>
  );
}

function ExplainForm({ id, onDone }: { id: string; onDone: () => void }) {
  const { setProblem, fieldError, formError } = useProblem();
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget).get('reason') ?? '').trim();
    if (!reason)
      return setProblem({ text: 'Say why this difference is no error.', field: 'reason' });
    const { error, response } = await api.POST('/finance/breaks/{id}/explain', {
      params: { path: { id } },
      body: { reason },
    });
    if (!response.ok) return setProblem(explain(error, response.status));
    setProblem(null);
    onDone();
  }
  return (
    <form onSubmit={submit} noValidate className="row" aria-label={`Explain break ${id}`}>
      <Field
        label="Why this is no error"
        name="reason"
        maxLength={500}
        error={fieldError('reason')}
      />
      <button type="submit">Explain</button>
      <FormError text={formError(['reason'])} />
    </form>
  );
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

/**
 * Adjustments by status; finance and admins ask for one (or a reversal), and
 * a finance user other than the one who asked approves or rejects it.
 */
export function AdjustmentsPanel() {
  const { me, isFinance } = useRoles();
  const mayAsk = isFinance || me.roles.includes('admin');
  const [asking, setAsking] = useState(false);
  const adjustments = useStatusList<Adjustment['status'], Adjustment>('pending_approval', (query) =>
    api.GET('/finance/adjustments', { params: { query } }),
  );
  const { status, setNotice, list } = adjustments;

  return (
    <Panel
      title="Adjustments"
      who="finance and admins ask for one; a finance user other than the requester decides; auditors read"
    >
      {mayAsk &&
        (asking ? (
          <AdjustmentForm
            onDone={(text) => {
              setNotice(text);
              setAsking(false);
              list.reload();
            }}
          />
        ) : (
          <button type="button" onClick={() => setAsking(true)}>
            Ask for an adjustment or a reversal…
          </button>
        ))}
      <StatusList
        state={adjustments}
        filter={{
          id: 'adjustment-status',
          label: 'Show adjustments that are',
          options: [
            ['pending_approval', 'Awaiting approval'],
            ['posted', 'Posted'],
            ['rejected', 'Rejected'],
            ['refused', 'Refused'],
          ],
        }}
        noticeId="adjustment-result"
        what="the adjustments"
        empty={`No adjustments ${status === 'pending_approval' ? 'await approval' : `are ${status}`}.`}
        moreText="More adjustments"
      >
        {(items) => (
          <ul className="adjustments" aria-label="Adjustments">
            {items.map((a) => (
              <li key={a.id} data-testid={`adjustment-${a.id}`}>
                <p>
                  <strong>
                    {a.reverses ? 'Reversal' : a.direction === 'credit' ? 'Credit' : 'Debit'} of{' '}
                    {formatMinor(a.amountMinor, a.currency)}
                  </strong>{' '}
                  to wallet <code>{a.walletId}</code> against {a.account}: {a.reason}.{' '}
                  {a.requestedBy === me.id ? (
                    'You asked for it.'
                  ) : (
                    <>
                      Asked for by <code>{a.requestedBy}</code>.
                    </>
                  )}
                  {a.status === 'pending_approval' &&
                    ' Who may decide: a finance user other than the requester.'}
                  {a.decisionReason && ` Decision: ${a.decisionReason}.`}
                  {a.rejection && ` Refused: ${a.rejection}.`}
                </p>
                {isFinance && a.status === 'pending_approval' && (
                  <DecideForm
                    adjustment={a}
                    mine={a.requestedBy === me.id}
                    onDone={(text) => {
                      setNotice(text);
                      list.reload();
                    }}
                  />
                )}
              </li>
            ))}
          </ul>
        )}
      </StatusList>
    </Panel>
  );
}

function DecideForm({
  adjustment,
  mine,
  onDone,
}: {
  adjustment: Adjustment;
  mine: boolean;
  onDone: (text: string) => void;
}) {
  const [reason, setReason] = useState('');
  const { setProblem, fieldError, formError } = useProblem();
  const [busy, setBusy] = useState(false);
  const amount = formatMinor(adjustment.amountMinor, adjustment.currency);

  async function decide(approve: boolean) {
    setProblem(null);
    if (!reason.trim())
      return setProblem({ text: 'Give a reason for the decision.', field: 'reason' });
    setBusy(true);
    const route = approve
      ? ('/finance/adjustments/{id}/approve' as const)
      : ('/finance/adjustments/{id}/reject' as const);
    const { error, response } = await api.POST(route, {
      params: { path: { id: adjustment.id } },
      body: { reason: reason.trim() },
    });
    setBusy(false);
    if (!response.ok) return setProblem(explain(error, response.status));
    onDone(
      approve
        ? `The ${amount} adjustment is approved and posted.`
        : `The ${amount} adjustment is rejected: it will not be posted.`,
    );
  }

  return (
    <form
      noValidate
      aria-label={`Decide the ${amount} adjustment`}
      onSubmit={(e) => {
        e.preventDefault();
        void decide(true);
      }}
    >
      {mine && (
        <p className="hint">You asked for this one: another finance user has to decide it.</p>
      )}
      <Field
        label="Reason for the decision"
        name="reason"
        value={reason}
        maxLength={500}
        onChange={(e) => setReason(e.target.value)}
        error={fieldError('reason')}
      />
      <FormError text={formError(['reason'])} />
      <div className="row">
        <button type="submit" disabled={busy}>
          Approve
        </button>
        <button type="button" disabled={busy} onClick={() => void decide(false)}>
          Reject
        </button>
      </div>
    </form>
  );
}
