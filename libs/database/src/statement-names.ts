import { createHash } from 'node:crypto';

/** Distinct statement texts named by one pool when the caller names no limit. */
export const DEFAULT_PREPARED_STATEMENT_LIMIT = 500;

/**
 * How many times one text is given a fresh name after its named statement
 * went stale (see `isStaleStatement`) before it is sent unnamed for good. A
 * schema change costs one rename; a pooler that does not keep prepared
 * statements would cost one on every use.
 */
const MAX_RENAMES = 3;

/**
 * A semicolon with more text after it: perhaps a second statement, which
 * Postgres refuses in a prepared statement anyway; such a text goes unnamed.
 */
const SECOND_STATEMENT = /;\s*\S/;

interface Entry {
  /** The name from the text's hash. */
  readonly base: string;
  /** The name it is sent under; undefined once it is sent unnamed for good. */
  name: string | undefined;
  renames: number;
}

/**
 * The names under which a pool sends its parameterised statements as named
 * prepared statements: Postgres then parses a text once per connection
 * instead of on every call (and plans it for its values each time: the
 * pool's connections run with `plan_cache_mode = force_custom_plan`).
 * `pg` remembers per connection which names it has parsed and sends only
 * Bind and Execute after the first time.
 *
 * A name is `p` and 16 hex digits of the text's SHA-1, computed once per
 * distinct text. At most `limit` texts are named; any further text is sent
 * unnamed, as every statement was before, so that statements built from
 * varying text cannot grow every backend's memory without bound.
 */
export class StatementNames {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly limit = DEFAULT_PREPARED_STATEMENT_LIMIT) {}

  /** The name to send `text` under, or undefined to send it unnamed. */
  nameOf(text: string, values: readonly unknown[] | undefined): string | undefined {
    if (!values || values.length === 0) return undefined;
    const known = this.entries.get(text);
    if (known) return known.name;
    if (this.entries.size >= this.limit || SECOND_STATEMENT.test(text)) return undefined;
    const name = `p${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    this.entries.set(text, { base: name, name, renames: 0 });
    return name;
  }

  /**
   * After `name` failed as stale: `text` gets a fresh name, which every
   * connection parses anew, or none after `MAX_RENAMES`. Failures of the
   * same name on several connections rename it once.
   */
  retire(text: string, name: string): void {
    const entry = this.entries.get(text);
    if (!entry || entry.name !== name) return;
    entry.renames += 1;
    entry.name = entry.renames > MAX_RENAMES ? undefined : `${entry.base}_${entry.renames}`;
  }

  /** How many distinct texts are named (or were, and are now sent unnamed). */
  get size(): number {
    return this.entries.size;
  }
}

/**
 * Errors that say the named statement, not the query, is at fault, all
 * raised at Parse or Bind, before anything ran, so the same text sent
 * unnamed cannot have run twice:
 * - 0A000 "cached plan must not change result type": a table the statement
 *   reads changed its columns since the statement was prepared;
 * - 26000 "prepared statement does not exist": the connection lost its
 *   statements (`DISCARD ALL`, a pooler handing out another backend);
 * - 42P05 "prepared statement already exists": a pooler's backend has a
 *   statement of that name from another client.
 */
export function isStaleStatement(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, routine } = error as { code?: unknown; routine?: unknown };
  if (code === '26000' || code === '42P05') return true;
  return code === '0A000' && routine === 'RevalidateCachedQuery';
}
