import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/** OWASP's argon2id baseline: 19 MiB, two passes, one lane. */
const ARGON2_OPTIONS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * argon2id hashing. `verifyOrDummy` spends the same work when there is no
 * hash to check (unknown e-mail, Google-only account), so the time a login
 * takes does not tell an attacker whether the account exists.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummy?: Promise<string>;

  /** Made at start-up so the first unknown-e-mail login is not the one slower request. */
  async onModuleInit(): Promise<void> {
    await this.dummyHash();
  }

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  async verifyOrDummy(storedHash: string | null, password: string): Promise<boolean> {
    if (storedHash === null) {
      await verify(await this.dummyHash(), password).catch(() => false);
      return false;
    }
    return verify(storedHash, password).catch(() => false);
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= hash(randomBytes(32), ARGON2_OPTIONS);
    return this.dummy;
  }
}
