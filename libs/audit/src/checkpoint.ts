import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { canonicalJson } from '@ledger/event-store';

/**
 * A signed checkpoint: the Merkle root of every stream's head as of a log
 * position, signed with Ed25519. The signature covers the canonical JSON of
 * every field but `signature`, so anyone with the public key can check it with
 * node:crypto (docs/audit.md shows how).
 */
export interface CheckpointBody {
  readonly version: 'ledger-checkpoint-v1';
  /** 1, 2, 3, …: a missing number in a published series is a removed checkpoint. */
  readonly sequence: number;
  /** The log position the heads are taken at, `commit.prepare`. */
  readonly position: string;
  readonly streams: number;
  readonly events: number;
  readonly root: string;
  /** The previous checkpoint's signature, so the series itself is a chain. */
  readonly previousSignature: string | null;
  readonly createdAt: string;
  /** SHA-256 of the public key's raw 32 bytes, hex: which key signed. */
  readonly keyId: string;
}

export interface Checkpoint extends CheckpointBody {
  /** Ed25519 over canonicalJson(body), base64. */
  readonly signature: string;
}

/** DER prefixes that turn raw 32-byte Ed25519 keys into PKCS#8 and SPKI. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The raw public key, base64: what the service publishes. */
  readonly publicKeyBase64: string;
  readonly keyId: string;
}

/** A signing key from its 32-byte seed (LEDGER_CHECKPOINT_SIGNING_KEY, base64). */
export function signingKeyFromSeed(seed: Buffer): SigningKey {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  const raw = rawPublicKey(publicKey);
  return { privateKey, publicKey, publicKeyBase64: raw.toString('base64'), keyId: keyIdOf(raw) };
}

export function publicKeyFromBase64(base64: string): KeyObject {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32) throw new RangeError('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

export function keyIdOf(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

export function checkpointMessage(body: CheckpointBody): Buffer {
  const { version, sequence, position, streams, events, root, previousSignature } = body;
  const { createdAt, keyId } = body;
  return Buffer.from(
    canonicalJson({
      version,
      sequence,
      position,
      streams,
      events,
      root,
      previousSignature,
      createdAt,
      keyId,
    }),
    'utf8',
  );
}

export function signCheckpoint(body: CheckpointBody, key: SigningKey): Checkpoint {
  const signature = sign(null, checkpointMessage(body), key.privateKey).toString('base64');
  return { ...body, signature };
}

export function checkpointSignatureValid(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  return verify(
    null,
    checkpointMessage(checkpoint),
    publicKey,
    Buffer.from(checkpoint.signature, 'base64'),
  );
}
