/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
const E164_PATTERN = /^\+[1-9]\d{6,14}$/;
/** Separators people type and that carry no meaning. */
const SEPARATORS = /[\s().-]/g;

/**
 * The one stored and compared form of a phone number. Separators are
 * dropped so "+44 20 7946 0958" and "+442079460958" find the same person;
 * anything else that is not E.164 (a national number without "+") is refused
 * rather than guessed at.
 */
export function normalisePhone(input: string): string | 'phone_invalid' {
  const phone = input.replace(SEPARATORS, '');
  return E164_PATTERN.test(phone) ? phone : 'phone_invalid';
}
