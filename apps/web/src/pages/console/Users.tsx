/** The admins' and auditors' panels: the security audit stream and a user's roles. */
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { explain, useProblem } from '../../errors';
import { useLive } from '../../live';
import { useMe } from '../../session';
import { Empty, Field, FieldError, FormError, Loading } from '../../ui';
import { Panel } from './Panel';

export function AuditPanel({ onManage }: { onManage?: (userId: string) => void }) {
  const live = useLive(async () => {
    const { data } = await api.GET('/audit/security-events', { params: { query: { limit: 20 } } });
    return data?.items ?? [];
  }, []);
  return (
    <Panel title="Security audit stream" who="auditors and admins">
      {!live.data ? (
        <Loading what="security events" />
      ) : live.data.length === 0 ? (
        <Empty>No security events.</Empty>
      ) : (
        <ul className="audit">
          {live.data.map((e) => (
            <li key={e.id}>
              <time>{new Date(e.occurredAt).toLocaleString()}</time> {e.type}{' '}
              {e.userId && <code title={e.userId}>{e.userId}</code>}{' '}
              {e.userId && onManage && (
                <button
                  type="button"
                  className="link"
                  aria-label={`Manage the roles of user ${e.userId}`}
                  onClick={() => {
                    onManage(e.userId!);
                    document.getElementById('role-user')?.focus();
                  }}
                >
                  Manage roles
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

const ROLE_NAMES = [
  ['customer', 'Customer'],
  ['finance', 'Finance'],
  ['auditor', 'Auditor'],
  ['admin', 'Admin'],
] as const;
type RoleName = (typeof ROLE_NAMES)[number][0];

/**
 * Replaces a user's roles. The user is found by e-mail (GET /admin/users,
 * which also gives the roles they have, so the boxes start right), or by an
 * id picked from the audit stream below or typed, when the boxes start at
 * customer only; the answer shows what the user has now.
 */
export function RolesPanel({
  userId,
  onUserId,
}: {
  userId: string;
  onUserId: (id: string) => void;
}) {
  const me = useMe();
  const [roles, setRoles] = useState<RoleName[]>(['customer']);
  const { setProblem, fieldError, formError } = useProblem();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [email, setEmail] = useState('');
  const [found, setFound] = useState<string>();

  async function find(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem(null);
    setDone(undefined);
    setFound(undefined);
    if (!email.includes('@'))
      return setProblem({
        text: 'Write the e-mail address the user signs in with.',
        field: 'email',
      });
    setBusy(true);
    const { data, error, response } = await api.GET('/admin/users', {
      params: { query: { email: email.trim() } },
    });
    setBusy(false);
    if (!data) {
      const explained = explain(error, response.status);
      return setProblem(
        response.status === 404
          ? { text: 'No user has this e-mail address.', field: 'email' }
          : { ...explained, field: explained.field === 'userId' ? 'email' : explained.field },
      );
    }
    onUserId(data.userId);
    setRoles(ROLE_NAMES.map(([role]) => role).filter((role) => data.roles.includes(role)));
    setFound(
      `${email.trim()} is user ${data.userId}${
        data.emailVerified ? '' : ' (e-mail not verified: staff roles need a verified one)'
      }.`,
    );
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem(null);
    setDone(undefined);
    const id = userId.trim();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
      return setProblem({
        text: 'A user id looks like 3f2a…-…: copy it from the audit stream.',
        field: 'userId',
      });
    if (roles.length === 0)
      return setProblem({ text: 'Choose at least one role.', field: 'roles' });
    setBusy(true);
    const { data, error, response } = await api.PUT('/admin/users/{id}/roles', {
      params: { path: { id } },
      body: { roles },
    });
    setBusy(false);
    if (!data) return setProblem(explain(error, response.status));
    // In the order the boxes show them, which is the order of rank.
    const now = ROLE_NAMES.map(([role]) => role).filter((role) => data.roles.includes(role));
    setRoles(now);
    setDone(
      `${data.userId === me.id ? 'You now have' : `User ${data.userId} now has`} the roles: ${now.join(', ')}.`,
    );
  }

  return (
    <Panel title="Roles" who="admins">
      <form onSubmit={find} noValidate aria-label="Find a user by e-mail" className="row">
        <Field
          label="User's e-mail"
          name="email"
          type="email"
          value={email}
          autoComplete="off"
          onChange={(e) => setEmail(e.target.value)}
          error={fieldError('email')}
        />
        <button type="submit" disabled={busy}>
          Find
        </button>
      </form>
      <p role="status" data-testid="roles-found">
        {found ?? ''}
      </p>
      <form onSubmit={save} noValidate aria-label="Set a user's roles">
        <div className="field">
          <label htmlFor="role-user">User id</label>
          <input
            id="role-user"
            name="userId"
            value={userId}
            onChange={(e) => onUserId(e.target.value)}
            aria-invalid={fieldError('userId') ? true : undefined}
            aria-describedby="role-user-error"
            spellCheck={false}
          />
          <FieldError id="role-user-error" error={fieldError('userId')} />
        </div>
        <fieldset aria-describedby="roles-error">
          <legend>Roles</legend>
          <div className="roles">
            {ROLE_NAMES.map(([role, name]) => (
              <label key={role}>
                <input
                  type="checkbox"
                  name="roles"
                  value={role}
                  checked={roles.includes(role)}
                  onChange={(e) =>
                    setRoles(e.target.checked ? [...roles, role] : roles.filter((r) => r !== role))
                  }
                />
                {name}
              </label>
            ))}
          </div>
          <FieldError id="roles-error" error={fieldError('roles')} />
        </fieldset>
        <FormError text={formError(['userId', 'roles', 'email'])} />
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Set roles'}
        </button>
      </form>
      <p role="status" data-testid="roles-result">
        {done ?? ''}
      </p>
    </Panel>
  );
}
