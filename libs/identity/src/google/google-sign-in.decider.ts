import type { GoogleProfile } from './google-profile';

/** The facts about existing accounts that the decision needs. */
export interface AccountFacts {
  readonly id: string;
  readonly googleSubject: string | null;
  readonly emailVerified: boolean;
  readonly hasPassword: boolean;
}

export type GoogleSignInDecision =
  | { readonly action: 'sign_in'; readonly userId: string }
  | { readonly action: 'link'; readonly userId: string; readonly resetCredentials: boolean }
  | { readonly action: 'create'; readonly email: string }
  | {
      readonly action: 'reject';
      readonly rejection: 'google_email_not_verified' | 'google_account_mismatch';
    };

/**
 * Who a Google sign-in is, in order:
 * 1. The Google account already linked to a user: that user.
 * 2. Otherwise only an address Google has verified may name a user; an
 *    unverified one could be anybody's.
 * 3. A user with that address who is linked to a different Google account
 *    is not taken over by this one.
 * 4. A user with that address is linked. If the address was never verified
 *    and a password is set, that password may have been set by whoever
 *    registered the address first ("pre-account takeover"), so it and every
 *    session and second factor are reset: Google has just shown who owns it.
 * 5. No user: a new one is created.
 */
export function decideGoogleSignIn(
  profile: GoogleProfile,
  bySubject: AccountFacts | undefined,
  byEmail: AccountFacts | undefined,
): GoogleSignInDecision {
  if (bySubject) return { action: 'sign_in', userId: bySubject.id };
  if (!profile.email || !profile.emailVerified)
    return { action: 'reject', rejection: 'google_email_not_verified' };
  if (!byEmail) return { action: 'create', email: profile.email };
  if (byEmail.googleSubject !== null)
    return { action: 'reject', rejection: 'google_account_mismatch' };
  return {
    action: 'link',
    userId: byEmail.id,
    resetCredentials: !byEmail.emailVerified && byEmail.hasPassword,
  };
}
