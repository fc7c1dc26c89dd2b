import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { explain, useProblem } from '../../errors';
import { formatMinor } from '../../money';
import { Empty, Field, FormError } from '../../ui';
import { Panel, useRoles } from './Panel';
import { kindInWords } from './Breaks';
import type { components } from '../../api/openapi';

type Report = components['schemas']['ReconciliationView'];

/** The first day of this month and of the next, as the API's from and to. */
function thisMonth(): { from: string; to: string } {
  const now = new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
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
