import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes of randomness in a generated development secret (256 bits). */
const LOCAL_SECRET_BYTES = 32;

/**
 * A development secret kept in the data directory, so that `npm start` works
 * without configuration and tokens and encrypted columns survive a restart.
 * Production never comes here: `readSecret` refuses a missing secret first.
 *
 * The file is created with `wx` (fail if it exists) so that two processes
 * starting together agree on one secret: the loser reads the winner's file.
 */
export function localSecret(dataDir: string, name: string): string {
  const path = join(dataDir, `${name}.secret`);
  const existing = readIfPresent(path);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(LOCAL_SECRET_BYTES).toString('base64');
  try {
    writeFileSync(path, secret, { flag: 'wx', mode: 0o600 });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(path, 'utf8').trim();
  }
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
