import { useState } from 'react';
import { api } from '../../api/client';
import type { components } from '../../api/openapi';
import { explain, useProblem } from '../../errors';
import { formatMinor } from '../../money';
import { Field, FormError } from '../../ui';
import { AdjustmentForm } from './AdjustmentForm';
import { StatusList, useStatusList } from './PagedList';
import { Panel, useRoles } from './Panel';

type Adjustment = components['schemas']['FinanceAdjustmentView'];

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
