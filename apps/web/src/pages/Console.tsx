import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import type { TrialBalance } from '../api/types';
import { explain } from '../errors';
import { useLive } from '../live';
import { formatMinor } from '../money';
import { useMe } from '../session';
import { Empty, Field, FormError, Loading } from '../ui';
import type { components } from '../api/openapi';
import { DeadLettersPanel } from './console/DeadLetters';
import { AdjustmentsPanel } from './console/Adjustments';
import { PeriodsPanel } from './console/Periods';
import { BreaksPanel } from './console/Breaks';
import { ReconciliationPanel } from './console/Reconciliation';
import { Panel } from './console/Panel';
import { AuditPanel, RolesPanel } from './console/Users';

type Movement = components['schemas']['MovementView'];
type Stuck = components['schemas']['StuckMovementView'];

/**
 * The operator console. Every panel names the roles that may use it; the
 * API refuses anyone else, so the console only saves them the click.
 */
export function Console() {
  const me = useMe();
  const canRead = me.roles.some((r) => r === 'finance' || r === 'auditor' || r === 'admin');
  const canAudit = me.roles.some((r) => r === 'auditor' || r === 'admin');
  const isAdmin = me.roles.includes('admin');
  // The user whose roles the roles panel is about: typed, or picked from an audit row.
  const [roleUser, setRoleUser] = useState('');
  // Bumped when finance records a reconciliation, so the stored breaks reload.
  const [breaksVersion, setBreaksVersion] = useState(0);
  if (!canRead)
    return (
      <main>
        <h1>Console</h1>
        <Empty>The console is for finance, auditors and admins.</Empty>
      </main>
    );
  return (
    <main className="console">
      <h1>Operator console</h1>
      <TrialBalancePanel />
      <ProjectionsPanel />
      <StuckPanel />
      <MovementPanel />
      <VerifyPanel />
      <ReconciliationPanel onRecorded={() => setBreaksVersion((v) => v + 1)} />
      <BreaksPanel version={breaksVersion} />
      <PeriodsPanel />
      <AdjustmentsPanel />
      {isAdmin && <DeadLettersPanel />}
      {isAdmin && <RolesPanel userId={roleUser} onUserId={setRoleUser} />}
      {canAudit && <AuditPanel onManage={isAdmin ? setRoleUser : undefined} />}
    </main>
  );
}

/** Parked sagas and movements pending for more than half an hour, oldest first. */
function StuckPanel() {
  const live = useLive(async () => {
    const { data, response } = await api.GET('/ledger/movements/stuck', {
      params: { query: { limit: 50 } },
    });
    if (!data) throw new Error(`stuck movements: ${response.status}`);
    return data;
  }, []);
  const items: Stuck[] = live.data?.items ?? [];
  return (
    <Panel title="Movements that need attention" who="finance, auditors and admins">
      {!live.data ? (
        <Loading what="the movements that need attention" />
      ) : items.length === 0 ? (
        <Empty>Nothing is parked or pending for more than 30 minutes.</Empty>
      ) : (
        <table aria-label="Movements that need attention">
          <thead>
            <tr>
              <th scope="col">Movement</th>
              <th scope="col">Phase</th>
              <th scope="col">Pending for</th>
              <th scope="col">Parked</th>
              <th scope="col">Next deadline</th>
              <th scope="col" className="amount">
                Amount
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((m) => (
              <tr key={m.movementId}>
                <td>
                  <code>{m.movementId}</code>
                </td>
                <td>{m.phase}</td>
                <td>{duration(m.pendingSeconds)}</td>
                <td>
                  {m.parked ? `${m.parked.attempts} attempt(s): ${m.parked.lastError}` : 'No'}
                </td>
                <td>
                  {m.nextDeadline
                    ? `${m.nextDeadline.job} at ${new Date(m.nextDeadline.dueAt).toLocaleString()}`
                    : '—'}
                </td>
                <td className="amount">{formatMinor(m.amountMinor, m.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

function duration(seconds: number): string {
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3_600)} h`;
  return `${Math.floor(seconds / 86_400)} days`;
}

function TrialBalancePanel() {
  const live = useLive(
    async () => (await api.GET('/ledger/trial-balance')).data as unknown as TrialBalance,
    [],
  );
  const tb = live.data;
  return (
    <Panel title="Trial balance" who="finance, auditors and admins">
      {!tb ? (
        <Loading what="the trial balance" />
      ) : tb.lines.length === 0 ? (
        <Empty>No money has moved yet.</Empty>
      ) : (
        <table aria-label="Trial balance">
          <thead>
            <tr>
              <th scope="col">Currency</th>
              <th scope="col" className="amount">
                Debits
              </th>
              <th scope="col" className="amount">
                Credits
              </th>
              <th scope="col">Balanced</th>
            </tr>
          </thead>
          <tbody>
            {tb.lines.map((l) => (
              <tr key={l.currency}>
                <td>{l.currency}</td>
                <td className="amount">{formatMinor(l.debitsMinor, l.currency)}</td>
                <td className="amount">{formatMinor(l.creditsMinor, l.currency)}</td>
                <td>{l.balanced ? 'Yes' : 'No — investigate'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

function ProjectionsPanel() {
  const live = useLive(
    async () => ((await api.GET('/ledger/projections')).data ?? {}) as Record<string, unknown>,
    [],
  );
  return (
    <Panel title="Projection lag" who="finance, auditors and admins">
      {!live.data ? (
        <Loading what="projection status" />
      ) : (
        <dl className="facts">
          {Object.entries(live.data).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v === null ? '—' : String(v)}</dd>
            </div>
          ))}
        </dl>
      )}
    </Panel>
  );
}

/** A movement and its steps, so a stuck or parked one can be read step by step. */
function MovementPanel() {
  const [movement, setMovement] = useState<Movement | null>(null);
  const [problem, setProblem] = useState<string>();
  async function look(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const id = String(new FormData(event.currentTarget).get('id') ?? '').trim();
    const { data, error, response } = await api.GET('/movements/{id}', {
      params: { path: { id } },
    });
    setMovement(data ?? null);
    setProblem(data ? undefined : explain(error, response.status).text);
  }
  return (
    <Panel title="Movement" who="finance, auditors and admins (and the movement's parties)">
      <form onSubmit={look} className="row" aria-label="Look up a movement">
        <Field label="Movement id" name="id" placeholder="transfer-…" required />
        <button type="submit">Look up</button>
      </form>
      <FormError text={problem} />
      {movement && (
        <div data-testid="movement">
          <p>
            {movement.kind} of {formatMinor(movement.amountMinor, movement.currency)}:{' '}
            <strong>{movement.status}</strong> (phase {movement.phase})
            {movement.failureReason && ` — ${movement.failureReason}`}
          </p>
          <ol className="steps">
            {movement.steps.map((s, i) => (
              <li key={i}>
                {new Date(s.at).toLocaleString()} {s.type}
                {s.reason && ` (${s.reason})`}
              </li>
            ))}
          </ol>
        </div>
      )}
    </Panel>
  );
}

function VerifyPanel() {
  const [result, setResult] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function verify() {
    setBusy(true);
    const { data, error, response } = await api.GET('/ledger/verify');
    setBusy(false);
    setResult(data ? JSON.stringify(data, null, 2) : explain(error, response.status).text);
  }
  return (
    <Panel title="Verify the ledger" who="finance, auditors and admins">
      <p>Replays the whole event log and compares every account with the read models.</p>
      <button type="button" onClick={verify} disabled={busy}>
        {busy ? 'Verifying…' : 'Verify now'}
      </button>
      {result && (
        <pre className="result" data-testid="verify-result">
          {result}
        </pre>
      )}
    </Panel>
  );
}
