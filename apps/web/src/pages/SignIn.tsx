import { useEffect, useState, type FormEvent } from 'react';
import { api, SESSION_HEADER } from '../api/client';
import { explain, useProblem } from '../errors';
import { completeGoogleSignIn, googleConfigured, GOOGLE_RETURN_PATH } from '../google';
import { useSession } from '../session';
import { Field, FormError } from '../ui';

type Step = { kind: 'credentials' } | { kind: 'second-factor'; challengeToken: string };

/**
 * Sign in, sign up, and the second step of a login with 2FA on; with Google
 * configured on the server, also Google sign-in and the page Google returns to.
 */
export function SignIn() {
  const { begin } = useSession();
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [step, setStep] = useState<Step>({ kind: 'credentials' });
  const { problem, setProblem, fieldError } = useProblem();
  const [busy, setBusy] = useState(false);
  const [google, setGoogle] = useState(false);
  const returning = location.pathname === GOOGLE_RETURN_PATH;
  const [finishing, setFinishing] = useState(returning);

  useEffect(() => {
    let live = true;
    void googleConfigured().then((on) => live && setGoogle(on));
    if (returning)
      void completeGoogleSignIn(location.search).then(async (outcome) => {
        if (!live) return;
        // The code in the address is spent either way: do not leave it there.
        history.replaceState(null, '', '/');
        setFinishing(false);
        if (outcome.kind === 'signed-in') return begin(outcome.accessToken);
        if (outcome.kind === 'second-factor')
          return setStep({ kind: 'second-factor', challengeToken: outcome.challengeToken });
        if (outcome.kind === 'cancelled')
          return setProblem({ text: 'Signing in with Google was cancelled.' });
        setProblem(explain(outcome.problem, outcome.status));
      });
    return () => {
      live = false;
    };
  }, [returning, begin]);

  if (finishing)
    return (
      <main className="auth">
        <h1>Signing in with Google</h1>
        <p className="loading" aria-busy="true">
          Finishing the sign-in with Google…
        </p>
      </main>
    );

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '');
    setBusy(true);
    setProblem(null);
    try {
      if (step.kind === 'second-factor') {
        const { data, error, response } = await api.POST('/auth/login/2fa', {
          headers: SESSION_HEADER,
          body: { challengeToken: step.challengeToken, code: text('code').trim() },
        });
        if (data) return await begin(data.accessToken);
        return setProblem(explain(error, response.status));
      }
      const credentials = { email: text('email'), password: text('password') };
      if (mode === 'sign-up') {
        const { data, error, response } = await api.POST('/auth/signup', {
          headers: SESSION_HEADER,
          body: { ...credentials, currency: text('currency').toUpperCase() || undefined },
        });
        if (data) return await begin(data.accessToken);
        return setProblem(explain(error, response.status));
      }
      const { data, error, response } = await api.POST('/auth/login', {
        headers: SESSION_HEADER,
        body: credentials,
      });
      if (!data) return setProblem(explain(error, response.status));
      if (data.twoFactorRequired && data.challengeToken) {
        return setStep({ kind: 'second-factor', challengeToken: data.challengeToken });
      }
      if (data.accessToken) await begin(data.accessToken);
    } catch {
      setProblem(explain(undefined));
    } finally {
      setBusy(false);
    }
  }

  const title =
    step.kind === 'second-factor'
      ? 'Two-step verification'
      : mode === 'sign-in'
        ? 'Sign in'
        : 'Create an account';

  return (
    <main className="auth">
      <h1>{title}</h1>
      <form onSubmit={submit} noValidate aria-label={title}>
        {step.kind === 'second-factor' ? (
          <Field
            label="Code from your authenticator app, or a recovery code"
            name="code"
            autoComplete="one-time-code"
            inputMode="numeric"
            autoFocus
            required
            error={fieldError('code')}
          />
        ) : (
          <>
            <Field
              label="E-mail"
              name="email"
              type="email"
              autoComplete="email"
              required
              error={fieldError('email')}
            />
            <Field
              label="Password"
              name="password"
              type="password"
              autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
              hint={mode === 'sign-up' ? 'At least 12 characters.' : undefined}
              required
              error={fieldError('password')}
            />
            {mode === 'sign-up' && (
              <Field
                label="Currency of your first wallet"
                name="currency"
                defaultValue="EUR"
                maxLength={3}
                hint="Three letters, such as EUR or USD."
              />
            )}
          </>
        )}
        <FormError text={problem && !problem.field ? problem.text : undefined} />
        <button type="submit" disabled={busy}>
          {busy ? 'Please wait…' : step.kind === 'second-factor' ? 'Verify' : title}
        </button>
      </form>
      {step.kind === 'credentials' && google && (
        <p>
          <a className="button google" href="/auth/google">
            Sign in with Google
          </a>
        </p>
      )}
      {step.kind === 'credentials' && (
        <p>
          {mode === 'sign-in' ? 'New here? ' : 'Have an account? '}
          <button
            type="button"
            className="link"
            onClick={() => {
              setProblem(null);
              setMode(mode === 'sign-in' ? 'sign-up' : 'sign-in');
            }}
          >
            {mode === 'sign-in' ? 'Create an account' : 'Sign in'}
          </button>
        </p>
      )}
    </main>
  );
}
