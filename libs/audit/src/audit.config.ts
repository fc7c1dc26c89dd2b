import { ConfigError, localSecret, readSecret, setting, type Env } from '@ledger/config';
import { signingKeyFromSeed, type SigningKey } from './checkpoint';

export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');

export interface AuditConfig {
  readonly signingKey: SigningKey;
  readonly checkpointIntervalMs: number;
  /** Where the append-only checkpoints.ndjson is written. */
  readonly dataDir: string;
}

/**
 * The checkpoint signing key is a 32-byte Ed25519 seed in base64
 * (`openssl rand -base64 32`): required in production, generated once and
 * kept in LEDGER_DATA_DIR elsewhere, like the other development secrets.
 */
export function readAuditConfig(env: Env): AuditConfig {
  const dataDir = setting(env, 'LEDGER_DATA_DIR');
  setting(env, 'LEDGER_CHECKPOINT_SIGNING_KEY');
  const encoded = readSecret(env, 'LEDGER_CHECKPOINT_SIGNING_KEY', () =>
    localSecret(dataDir, 'checkpoint-signing-key'),
  );
  const seed = Buffer.from(encoded, 'base64');
  if (seed.length !== 32) {
    throw new ConfigError(
      'LEDGER_CHECKPOINT_SIGNING_KEY must be a 32-byte Ed25519 seed in base64 (openssl rand -base64 32)',
    );
  }
  return {
    signingKey: signingKeyFromSeed(seed),
    checkpointIntervalMs: setting(env, 'LEDGER_CHECKPOINT_INTERVAL_MS'),
    dataDir,
  };
}
