/** Deeper than this, no request of this API has a meaning, and recursive code downstream would pay for it. */
export const MAX_JSON_DEPTH = 32;
/** Keys and array elements in one body; a request of this API needs a few dozen at most. */
export const MAX_JSON_MEMBERS = 2_000;
/** Keys that reach an object's prototype when recursive code downstream copies or merges the body. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonShapeProblem =
  { readonly kind: 'too_deep' } | { readonly kind: 'too_many_members' };

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

export type JsonMemberProblem =
  | { readonly kind: 'forbidden_key'; readonly field: string }
  | { readonly kind: 'bad_text'; readonly field: string };

/**
 * Finds, anywhere in a parsed body, a key that names a prototype, or a key
 * or string that is not text: a NUL character (no column or header can hold
 * one) or an unpaired surrogate (no encoder can write one). Runs after
 * JSON.parse so that escaped spellings (`"__pr\u006fto__"`, `"\u0000"`) are
 * caught too; the walk is iterative and bounded by checkJsonText's limits.
 */
export function findBadMember(value: unknown): JsonMemberProblem | undefined {
  const pending: Array<{ value: unknown; field: string }> = [{ value, field: '' }];
  for (let visited = 0; pending.length > 0 && visited <= MAX_JSON_MEMBERS + 1; visited++) {
    const next = pending.pop()!;
    if (typeof next.value === 'string' && !isText(next.value))
      return { kind: 'bad_text', field: next.field };
    if (next.value === null || typeof next.value !== 'object') continue;
    for (const key of Object.keys(next.value)) {
      const field = next.field ? `${next.field}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return { kind: 'forbidden_key', field: key };
      if (!isText(key)) return { kind: 'bad_text', field: next.field || 'a key' };
      pending.push({ value: (next.value as Record<string, unknown>)[key], field });
    }
  }
  return undefined;
}

// NUL and unpaired surrogates are exactly what this pattern is for.
// eslint-disable-next-line no-control-regex
const NOT_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isText(s: string): boolean {
  return !NOT_TEXT.test(s);
}

/** The index of the quote that closes the string opened at `start`, or the text's length. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}
