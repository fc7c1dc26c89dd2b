/**
 * Keyset paging shared by the list queries. A cursor is opaque to callers
 * (base64url of the last row's key, tagged with what it pages) so the key
 * can change without breaking clients that only echo it back.
 */
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

export interface Page<T> {
  readonly items: T[];
  /** Present when more rows follow; pass it back as `cursor`. */
  readonly nextCursor?: string;
}

export type PageProblem = 'invalid_cursor' | 'invalid_limit';

/** A limit outside 1..MAX_PAGE_SIZE is a problem, not silently clamped, so a client learns the bound. */
export function pageSize(limit: number | undefined): number | 'invalid_limit' {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) return 'invalid_limit';
  return limit;
}

export function encodeCursor(tag: string, key: readonly string[]): string {
  return Buffer.from(JSON.stringify([tag, ...key]), 'utf8').toString('base64url');
}

/** The key a cursor carries, or undefined when it is not one of `tag`'s cursors. */
export function decodeCursor(tag: string, cursor: string, arity: number): string[] | undefined {
  if (cursor.length > 1_000) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== arity + 1 || parsed[0] !== tag)
      return undefined;
    const key = parsed.slice(1);
    return key.every((part): part is string => typeof part === 'string') ? key : undefined;
  } catch {
    return undefined;
  }
}

/** Splits the extra row fetched to learn whether another page follows. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  key: (row: R) => string[],
  tag: string,
): Page<T> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return {
    items: shown.map(map),
    ...(more && last !== undefined && { nextCursor: encodeCursor(tag, key(last)) }),
  };
}
