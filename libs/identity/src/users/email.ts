/** RFC 5321 limits: 64 octets of local part, 254 of path. */
const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/**
 * The one form of an e-mail that is stored, hashed and compared. Case is
 * folded for the whole address because every mainstream provider treats the
 * local part case-insensitively and users type it both ways. Provider
 * specific rewrites (Gmail dots, `+tags`) are not applied: they would merge
 * addresses that other providers keep distinct.
 */
export function normaliseEmail(input: string): string | 'email_invalid' {
  const email = input.normalize('NFC').trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(email)) return 'email_invalid';
  if (email.indexOf('@') > MAX_LOCAL_PART_LENGTH) return 'email_invalid';
  return email;
}
