import { decideGoogleSignIn, type AccountFacts } from './google-sign-in.decider';
import { toGoogleProfile, type GoogleProfile } from './google-profile';

const verified: GoogleProfile = { subject: 'g-1', email: 'ada@example.com', emailVerified: true };
const account = (facts: Partial<AccountFacts> = {}): AccountFacts => ({
  id: 'u-1',
  googleSubject: null,
  emailVerified: false,
  hasPassword: true,
  ...facts,
});

describe('decideGoogleSignIn', () => {
  it('signs in the user already linked to the Google account, verified or not', () => {
    const linked = account({ googleSubject: 'g-1' });
    expect(decideGoogleSignIn({ ...verified, emailVerified: false }, linked, undefined)).toEqual({
      action: 'sign_in',
      userId: 'u-1',
    });
  });

  it('refuses an unverified or missing e-mail for anyone not linked', () => {
    const reject = { action: 'reject', rejection: 'google_email_not_verified' };
    expect(decideGoogleSignIn({ ...verified, emailVerified: false }, undefined, account())).toEqual(
      reject,
    );
    expect(decideGoogleSignIn({ ...verified, emailVerified: false }, undefined, undefined)).toEqual(
      reject,
    );
    expect(
      decideGoogleSignIn({ subject: 'g-1', emailVerified: true }, undefined, undefined),
    ).toEqual(reject);
  });

  it('creates a user for a new verified address', () => {
    expect(decideGoogleSignIn(verified, undefined, undefined)).toEqual({
      action: 'create',
      email: 'ada@example.com',
    });
  });

  it('does not move an address linked to another Google account', () => {
    expect(decideGoogleSignIn(verified, undefined, account({ googleSubject: 'g-2' }))).toEqual({
      action: 'reject',
      rejection: 'google_account_mismatch',
    });
  });

  it('links, resetting credentials only when an unverified address has a password', () => {
    expect(decideGoogleSignIn(verified, undefined, account())).toEqual({
      action: 'link',
      userId: 'u-1',
      resetCredentials: true,
    });
    expect(decideGoogleSignIn(verified, undefined, account({ emailVerified: true }))).toMatchObject(
      { resetCredentials: false },
    );
    expect(decideGoogleSignIn(verified, undefined, account({ hasPassword: false }))).toMatchObject({
      resetCredentials: false,
    });
  });
});

describe('toGoogleProfile', () => {
  it('reads verification as boolean or string and nothing else', () => {
    const base = { id: 'g-1', displayName: 'Ada' };
    expect(
      toGoogleProfile({ ...base, emails: [{ value: 'a@b.co', verified: true }] }).emailVerified,
    ).toBe(true);
    expect(
      toGoogleProfile({
        ...base,
        emails: [{ value: 'a@b.co', verified: 'true' as unknown as boolean }],
      }).emailVerified,
    ).toBe(true);
    expect(
      toGoogleProfile({ ...base, emails: [{ value: 'a@b.co', verified: false }] }).emailVerified,
    ).toBe(false);
    expect(toGoogleProfile({ ...base, emails: [{ value: 'a@b.co' } as never] }).emailVerified).toBe(
      false,
    );
    expect(toGoogleProfile({ ...base }).email).toBeUndefined();
  });
});
