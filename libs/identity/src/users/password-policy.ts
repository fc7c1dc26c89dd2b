/**
 * Password policy after NIST SP 800-63B: length is what matters, composition
 * rules are not imposed. The upper bound caps the hashing work one request
 * can cause.
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

export type PasswordProblem =
  | 'password_too_short'
  | 'password_too_long'
  | 'password_contains_email'
  | 'password_too_repetitive';

export const PASSWORD_PROBLEM_MESSAGES: Readonly<Record<PasswordProblem, string>> = {
  password_too_short: `password must be at least ${MIN_PASSWORD_LENGTH} characters`,
  password_too_long: `password must be at most ${MAX_PASSWORD_LENGTH} characters`,
  password_contains_email: 'password must not contain your e-mail address',
  password_too_repetitive: 'password must not be one character repeated',
};

/** Below this a local part is too common a substring to forbid. */
const MIN_FORBIDDEN_LOCAL_PART = 4;

export function checkPassword(
  password: string,
  normalisedEmail: string,
): PasswordProblem | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return 'password_too_short';
  if (length > MAX_PASSWORD_LENGTH) return 'password_too_long';
  if (new Set(password).size === 1) return 'password_too_repetitive';
  const localPart = normalisedEmail.split('@')[0] ?? '';
  if (localPart.length >= MIN_FORBIDDEN_LOCAL_PART && password.toLowerCase().includes(localPart)) {
    return 'password_contains_email';
  }
  return undefined;
}
