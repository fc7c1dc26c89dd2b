import { useState, type FormEvent } from 'react';
import QRCode from 'qrcode';
import { api } from '../api/client';
import { explain, useProblem } from '../errors';
import { useNotify } from '../notifications';
import { useMe, useSession } from '../session';
import { Field, FormError } from '../ui';

/** The profile's phone number, e-mail verification and two-step verification (TOTP) enrolment. */
export function Security() {
  const me = useMe();
  return (
    <main>
      <h1>Security</h1>
      <Phone phone={me.phone} />
      <EmailVerification verified={me.emailVerified} />
      <TwoFactor enabled={me.twoFactorEnabled} />
    </main>
  );
}

/** The phone number M-Pesa top-ups prompt and M-Pesa withdrawals pay to. */
function Phone({ phone }: { phone: string | null }) {
  const { reload } = useSession();
  const notify = useNotify();
  const { setProblem, fieldError, formError } = useProblem();
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('phone') ?? '').replace(
      /[\s-]/g,
      '',
    );
    setBusy(true);
    setProblem(null);
    const { error, response } = await api.PATCH('/me', { body: { phone: value || null } });
    setBusy(false);
    if (!response.ok) return setProblem(explain(error, response.status));
    notify('success', value ? 'Phone number saved.' : 'Phone number removed.');
    await reload();
  }

  return (
    <section aria-labelledby="phone-title">
      <h2 id="phone-title">Phone number</h2>
      <p className="hint">M-Pesa top-ups and withdrawals use this number. It is not verified.</p>
      <form onSubmit={save} noValidate aria-label="Change your phone number" className="row">
        <Field
          label="Phone number"
          name="phone"
          type="tel"
          autoComplete="tel"
          defaultValue={phone ?? ''}
          key={phone ?? ''}
          hint="With + and the country code, such as +254712345678."
          error={fieldError('phone')}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save number'}
        </button>
      </form>
      <FormError text={formError(['phone'])} />
    </section>
  );
}

function EmailVerification({ verified }: { verified: boolean }) {
  const { reload } = useSession();
  const notify = useNotify();
  const [sent, setSent] = useState(false);
  const { setProblem, fieldError, formError } = useProblem();
  if (verified)
    return (
      <section>
        <h2>E-mail</h2>
        <p>Your e-mail address is verified.</p>
      </section>
    );

  async function ask() {
    const { error, response } = await api.POST('/me/email/verification');
    if (!response.ok) return setProblem(explain(error, response.status));
    setSent(true);
    notify('info', 'We sent a code to your e-mail address.');
  }
  async function verify(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('code') ?? '').trim();
    const { error, response } = await api.POST('/me/email/verify', { body: { code } });
    if (!response.ok) return setProblem(explain(error, response.status));
    notify('success', 'E-mail address verified.');
    await reload();
  }

  return (
    <section aria-labelledby="email-title">
      <h2 id="email-title">Verify your e-mail</h2>
      {!sent ? (
        <button type="button" onClick={ask}>
          Send me a code
        </button>
      ) : (
        <form onSubmit={verify} noValidate aria-label="Verify e-mail">
          <Field
            label="Code from the e-mail"
            name="code"
            inputMode="numeric"
            required
            error={fieldError('code')}
          />
          <button type="submit">Verify</button>
        </form>
      )}
      <FormError text={formError(['code'])} />
    </section>
  );
}

type Enrolment = { secret: string; qr: string } | null;

function TwoFactor({ enabled }: { enabled: boolean }) {
  const { reload } = useSession();
  const [enrolment, setEnrolment] = useState<Enrolment>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const { setProblem, fieldError, formError } = useProblem();

  async function start() {
    const { data, error, response } = await api.POST('/me/2fa/enrol');
    if (!data) return setProblem(explain(error, response.status));
    setEnrolment({
      secret: data.secret,
      qr: await QRCode.toDataURL(data.otpauthUri, { margin: 1 }),
    });
  }
  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('code') ?? '').trim();
    const { data, error, response } = await api.POST('/me/2fa/confirm', { body: { code } });
    if (!data) return setProblem(explain(error, response.status));
    setEnrolment(null);
    setRecoveryCodes(data.recoveryCodes);
  }

  if (recoveryCodes) {
    return (
      <section aria-labelledby="recovery-title">
        <h2 id="recovery-title">Your recovery codes</h2>
        <p>
          Two-step verification is on. Keep these codes somewhere safe: each signs you in once if
          you lose your phone. They are shown only now.
        </p>
        <ul className="codes" data-testid="recovery-codes">
          {recoveryCodes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <button
          type="button"
          onClick={() => {
            setRecoveryCodes(null);
            void reload();
          }}
        >
          I have saved them
        </button>
      </section>
    );
  }
  if (enabled)
    return (
      <section>
        <h2>Two-step verification</h2>
        <p>Two-step verification is on.</p>
      </section>
    );

  return (
    <section aria-labelledby="tfa-title">
      <h2 id="tfa-title">Two-step verification</h2>
      {!enrolment ? (
        <button type="button" onClick={start}>
          Turn on two-step verification
        </button>
      ) : (
        <form onSubmit={confirm} noValidate aria-label="Confirm two-step verification">
          <p>Scan this code with an authenticator app, or type the key.</p>
          <img
            src={enrolment.qr}
            alt="QR code for your authenticator app"
            width={180}
            height={180}
          />
          <p>
            Key: <code data-testid="totp-secret">{enrolment.secret}</code>
          </p>
          <Field
            label="First code from the app"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            error={fieldError('code')}
          />
          <button type="submit">Turn on</button>
        </form>
      )}
      <FormError text={formError(['code'])} />
    </section>
  );
}
