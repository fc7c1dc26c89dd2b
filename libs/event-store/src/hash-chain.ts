import { hash } from 'node:crypto';

/**
 * The per-stream hash chain (docs/audit.md, "The hash of an event"). Every
 * event's hash covers its content and the hash of the event before it in the
 * same stream, so an edited, removed or reordered event breaks every hash
 * after it in its stream, while appends to different streams never wait for
 * each other. Every adapter computes exactly this, and so can anyone holding
 * an export, with SHA-256 and a JSON serialiser.
 */

/** The "previous hash" of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The label that starts every hashed text, so that a change of definition is a new label. */
export const CHAIN_VERSION = 'ledger-event-v1';

const HASH_PATTERN = /^[0-9a-f]{64}$/;

export function isHash(value: unknown): value is string {
  return typeof value === 'string' && HASH_PATTERN.test(value);
}

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * JSON with object keys sorted by UTF-16 code units and no whitespace
 * (RFC 8785's ordering; numbers and strings as JSON.stringify writes them).
 * Values JSON.stringify would drop (undefined, functions, symbols) are
 * dropped from objects and written as null in arrays, and toJSON is honoured,
 * so the text describes what the store actually keeps. Every event is hashed
 * on the write path, so the text is built in one pass.
 */
export function canonicalJson(value: unknown): string {
  const plain = toPlain(value);
  return plain === undefined ? 'null' : write(plain);
}

function toPlain(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'toJSON' in value) {
    const toJSON = value.toJSON;
    if (typeof toJSON === 'function') return toPlain(toJSON.call(value));
  }
  return value;
}

function isDropped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? writeArray(value) : writeObject(value);
    default:
      // A bigint throws, as JSON.stringify does.
      return JSON.stringify(value);
  }
}

function writeArray(items: readonly unknown[]): string {
  let text = '[';
  for (let i = 0; i < items.length; i++) {
    const item = toPlain(items[i]);
    text += `${i === 0 ? '' : ','}${isDropped(item) ? 'null' : write(item)}`;
  }
  return `${text}]`;
}

function writeObject(object: object): string {
  let text = '';
  for (const key of Object.keys(object).sort()) {
    const item = toPlain((object as Record<string, unknown>)[key]);
    if (isDropped(item)) continue;
    text += `${text === '' ? '{' : ','}${quote(key)}:${write(item)}`;
  }
  return text === '' ? '{}' : `${text}}`;
}

/**
 * Nothing to escape: every code unit from space up, except the quote, the
 * backslash and the surrogates (JSON.stringify escapes lone ones).
 */
const VERBATIM = /^[ !#-[\]-\ud7ff\ue000-\uffff]*$/;

function quote(text: string): string {
  return VERBATIM.test(text) ? `"${text}"` : JSON.stringify(text);
}

export interface HashedContent {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
}

/** SHA-256 of the event's own content: id (lower case), type, data and metadata. */
export function contentHash(event: HashedContent): string {
  return sha256Hex(
    canonicalJson({
      data: event.data,
      id: event.id.toLowerCase(),
      metadata: event.metadata ?? {},
      type: event.type,
    }),
  );
}

/**
 * The chained hash: SHA-256 of the label, the previous hash, the revision,
 * the content hash and the stream id, one per line. The stream id comes last
 * because it is the only field of free length, so the text reads one way only.
 * es_append_locked (migrations/074_event_append_groups.sql, its chain as 071's)
 * computes the same in SQL.
 */
export function chainHash(
  previous: string,
  streamId: string,
  revision: bigint,
  content: string,
): string {
  return sha256Hex(`${CHAIN_VERSION}\n${previous}\n${revision}\n${content}\n${streamId}`);
}

export function eventHash(
  previous: string,
  streamId: string,
  revision: bigint,
  event: HashedContent,
): string {
  return chainHash(previous, streamId, revision, contentHash(event));
}
