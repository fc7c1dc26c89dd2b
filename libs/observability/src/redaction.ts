/**
 * What must never reach a log line: e-mail addresses, phone numbers, bearer
 * tokens and secrets, card numbers. Structured fields are removed by path
 * (pino's `redact`); free text (messages, URLs) is scrubbed by pattern, since
 * a message can quote an address that no field name announces.
 */
const KEYS = [
  'email',
  'phone',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'cardNumber',
  'pan',
  'cvc',
  'authorization',
  'cookie',
];

/** pino `redact` paths: the keys above at the top level and one level down. */
export const REDACT_PATHS = [
  ...KEYS,
  ...KEYS.map((key) => `*.${key}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g, '[email]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{1,4096}/gi, '$1 [redacted]'],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, '[token]'],
  [/\b(?:\d[ -]?){12,18}\d\b/g, '[card]'],
  [/\+\d{1,3}[\d ()-]{6,16}\d/g, '[phone]'],
];

/** Longest text scrubbed; longer messages are cut, which also bounds the pattern work. */
const MAX_TEXT_LENGTH = 8_192;

export function scrub(text: string): string {
  let out = text.length > MAX_TEXT_LENGTH ? `${text.slice(0, MAX_TEXT_LENGTH)}…` : text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Query strings can carry addresses and tokens: only the path is kept, scrubbed. */
export function scrubUrl(url: string | undefined): string {
  if (!url) return '';
  const query = url.indexOf('?');
  return scrub(query === -1 ? url : `${url.slice(0, query)}?…`);
}
