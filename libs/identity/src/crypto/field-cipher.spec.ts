import { randomBytes } from 'node:crypto';
import { FieldCipher } from './field-cipher';

describe('FieldCipher', () => {
  const cipher = new FieldCipher(randomBytes(32));

  it('round-trips and never repeats a ciphertext', () => {
    const a = cipher.encrypt('+442079460958', 'phone:u1');
    expect(a).not.toBe(cipher.encrypt('+442079460958', 'phone:u1'));
    expect(cipher.decrypt(a, 'phone:u1')).toBe('+442079460958');
    expect(a).not.toContain('4420');
  });

  it('refuses a ciphertext moved to another row or altered', () => {
    const a = cipher.encrypt('Ada', 'name:u1');
    expect(() => cipher.decrypt(a, 'name:u2')).toThrow();
    const parts = a.split('.');
    parts[2] = Buffer.from('Eve').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'), 'name:u1')).toThrow();
  });

  it('refuses another key', () => {
    const other = new FieldCipher(randomBytes(32));
    expect(() => other.decrypt(cipher.encrypt('Ada', 'name:u1'), 'name:u1')).toThrow();
  });

  it('hashes deterministically per kind and key', () => {
    expect(cipher.lookupHash('email', 'a@b.co')).toBe(cipher.lookupHash('email', 'a@b.co'));
    expect(cipher.lookupHash('email', 'a@b.co')).not.toBe(cipher.lookupHash('phone', 'a@b.co'));
    expect(new FieldCipher(randomBytes(32)).lookupHash('email', 'a@b.co')).not.toBe(
      cipher.lookupHash('email', 'a@b.co'),
    );
  });
});
