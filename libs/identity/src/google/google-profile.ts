import type { Profile } from 'passport-google-oauth20';

/** What Google tells us about the person, reduced to what sign-in decides on. */
export interface GoogleProfile {
  /** Google's stable account id (`sub`); an e-mail can change owners, this cannot. */
  readonly subject: string;
  readonly email?: string;
  readonly emailVerified: boolean;
  readonly name?: string;
}

/** Longest name kept from a provider profile, as for names typed in. */
const MAX_NAME_LENGTH = 200;

export function toGoogleProfile(
  profile: Pick<Profile, 'id' | 'emails' | 'displayName'>,
): GoogleProfile {
  const primary = profile.emails?.[0];
  // The userinfo endpoint has sent `email_verified` both as a boolean and as "true".
  const verified = primary?.verified as unknown;
  return {
    subject: profile.id,
    email: primary?.value,
    emailVerified: verified === true || verified === 'true',
    name: profile.displayName ? profile.displayName.slice(0, MAX_NAME_LENGTH) : undefined,
  };
}
