import { normaliseEmail } from './email';
import { normalisePhone } from './phone';
import { checkPassword } from './password-policy';

describe('normaliseEmail', () => {
  it('folds case and trims', () =>
    expect(normaliseEmail('  Ada@Example.COM ')).toBe('ada@example.com'));
  it('keeps plus tags and dots', () =>
    expect(normaliseEmail('a.b+c@gmail.com')).toBe('a.b+c@gmail.com'));
  it.each([
    '',
    'no-at',
    'a@b',
    'a@@b.com',
    'a b@c.com',
    `${'x'.repeat(65)}@example.com`,
    `a@${'x'.repeat(260)}.com`,
  ])('refuses %p', (input) => expect(normaliseEmail(input)).toBe('email_invalid'));
});

describe('normalisePhone', () => {
  it('drops separators', () => expect(normalisePhone('+44 (20) 7946-0958')).toBe('+442079460958'));
  it.each(['02079460958', '+0123456789', '+1234', '+1234567890123456', '+44abc'])(
    'refuses %p',
    (input) => expect(normalisePhone(input)).toBe('phone_invalid'),
  );
});

describe('checkPassword', () => {
  const email = 'ada.lovelace@example.com';
  it('accepts a long passphrase', () =>
    expect(checkPassword('correct horse battery', email)).toBeUndefined());
  it('names each problem', () => {
    expect(checkPassword('short', email)).toBe('password_too_short');
    expect(checkPassword('x'.repeat(129) + 'y', email)).toBe('password_too_long');
    expect(checkPassword('a'.repeat(20), email)).toBe('password_too_repetitive');
    expect(checkPassword('my Ada.Lovelace password', email)).toBe('password_contains_email');
  });
  it('counts characters, not UTF-16 units', () =>
    expect(checkPassword('🔒'.repeat(6), email)).toBe('password_too_short'));
});
