/** The stored reconciliation breaks and what finance does with them. */
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { components } from '../../api/openapi';
import { explain, useProblem } from '../../errors';
import { Field, FormError } from '../../ui';
import { AdjustmentForm } from './AdjustmentForm';
import { StatusList, useStatusList } from './PagedList';
import { Panel, useRoles } from './Panel';

type Schemas = components['schemas'];
/** A break as a run reports it or as finance keeps it (with its note). */
export type ReconciliationBreak = Schemas['ReportedBreakView'] &
  Partial<Pick<Schemas['StoredBreakView'], 'note'>>;
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
export const kindInWords = (kind: string) => KIND_WORDS[kind] ?? kind;

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
