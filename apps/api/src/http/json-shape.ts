/** Deeper than this, no request of this API has a meaning, and recursive code downstream would pay for it. */
export const MAX_JSON_DEPTH = 32;
/** Keys and array elements in one body; a request of this API needs a few dozen at most. */
export const MAX_JSON_MEMBERS = 2_000;
/** Keys that reach an object's prototype when recursive code downstream copies or merges the body. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonShapeProblem =
  | { readonly kind: 'too_deep' }
  | { readonly kind: 'too_many_members' }
  | { readonly kind: 'forbidden_key'; readonly key: string };

/**
 * Measures a JSON text without parsing it, in one pass and without
 * recursion, so that nesting and size are bounded before JSON.parse and the
 * recursive code after it (class-transformer, the validator, the request
 * fingerprint) see the body. Invalid JSON is left for the parser to report.
 */
export function checkJsonText(text: string): JsonShapeProblem | undefined {
  let depth = 0;
  let separators = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = endOfString(text, i);
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth > MAX_JSON_DEPTH) return { kind: 'too_deep' };
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' || c === ':') {
      // An object member costs a colon and a comma, an array element a comma.
      separators++;
      if (separators > MAX_JSON_MEMBERS * 2) return { kind: 'too_many_members' };
    }
  }
  return undefined;
}

/**
 * Finds a key that names a prototype anywhere in a parsed body. Runs after
 * JSON.parse so that escaped spellings (`"__pr\u006fto__"`) are caught too;
 * the walk is iterative and bounded by checkJsonText's limits.
 */
export function findForbiddenKey(value: unknown): string | undefined {
  const pending: unknown[] = [value];
  for (let visited = 0; pending.length > 0 && visited <= MAX_JSON_MEMBERS + 1; visited++) {
    const next = pending.pop();
    if (next === null || typeof next !== 'object') continue;
    for (const key of Object.keys(next)) {
      if (FORBIDDEN_KEYS.has(key)) return key;
      pending.push((next as Record<string, unknown>)[key]);
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opened at `start`, or the text's length. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}
