import { HttpException } from '@nestjs/common';
import { REJECTION_STATUS, type ApiRejection } from './rejection';
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { findNonIntegerNumber } from './json-number-scan';
import { checkJsonText, findBadMember, MAX_JSON_DEPTH, MAX_JSON_MEMBERS } from './json-shape';

/** A request as the body reader leaves it: the bytes as they came, for signature checks. */
export type RawBodyRequest = { rawBody?: Buffer };

/** A request body refused before any route sees it; the problem filter answers it as it stands. */
export class BodyProblem extends HttpException {
  /** `field` and `fieldCode` name the member at fault, when one is. */
  constructor(error: ApiRejection, message: string, field?: string, fieldCode = 'invalid') {
    const status = REJECTION_STATUS[error];
    super(
      {
        statusCode: status,
        error,
        message,
        ...(field !== undefined && {
          details: [{ field, message }],
          errors: [{ field, code: fieldCode, message }],
        }),
      },
      status,
    );
  }
}

export class NumberFormProblem extends BodyProblem {
  constructor(key: string) {
    super(
      'validation_failed',
      `${key || 'a number'} must be a whole number of minor units, as a JSON integer or a string of digits (no fractions or exponents)`,
      key || undefined,
      'not_integer',
    );
  }
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body reader: JSON only, UTF-8 only, no Content-Encoding
 * (nothing of this API is large enough to compress), bounded in size, depth
 * and member count before it is parsed, no prototype-naming keys, no NUL
 * characters or unpaired surrogates in keys or strings, and number
 * literals with a fraction or an exponent refused before JSON.parse silently
 * converts them. The raw bytes are kept for webhook signature checks.
 *
 * A payment provider's callback (under `/webhooks/`) is kept as raw bytes
 * only: its sender, not this API, decides its shape (a Stripe event may carry
 * fractional numbers such as exchange rates), and its adapter parses it after
 * checking the signature or secret path. The size limit still applies.
 */
export function registerJsonBodyParser(fastify: FastifyInstance, limitBytes: number): void {
  // Fastify's own JSON and text readers go: this one reads every body.
  fastify.removeAllContentTypeParsers();
  // Before any byte is read, and for every request, as the headers alone can refuse it.
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    done(refuseHeaders(request.headers) ?? null, payload);
  });
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: limitBytes },
    (request, body: Buffer, done) => {
      if (body.length === 0) return done(null, undefined);
      (request as RawBodyRequest).rawBody = body;
      if (isProviderCallback(request.url)) return done(null, undefined);
      let parsed: unknown;
      try {
        parsed = parseJsonBody(body);
      } catch (problem) {
        return done(problem as Error, undefined);
      }
      // Outside the try: an error further down the chain is not a body problem.
      done(null, parsed);
    },
  );
}

const PROVIDER_CALLBACKS = '/webhooks/';

function isProviderCallback(url: string): boolean {
  return url.startsWith(PROVIDER_CALLBACKS);
}

/** A body must say it is JSON in UTF-8 and arrive as it is; a request without a body may say anything. */
function refuseHeaders(headers: IncomingHttpHeaders): BodyProblem | undefined {
  const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    return new BodyProblem(
      'unsupported_encoding',
      'Content-Encoding is not supported; send the body uncompressed',
    );
  }
  if (!hasBody(headers)) return undefined;
  const type = headers['content-type'] ?? '';
  if (!JSON_TYPE.test(type)) {
    return new BodyProblem(
      'unsupported_media_type',
      'The request body must be JSON, with Content-Type: application/json',
    );
  }
  const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return new BodyProblem('unsupported_charset', 'The request body must be UTF-8');
  }
  return undefined;
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function parseJsonBody(bytes: Buffer): unknown {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw notJson('the request body is not valid UTF-8');
  }
  if (text.trim() === '') return undefined;
  const shape = checkJsonText(text);
  if (shape?.kind === 'too_deep') {
    throw new BodyProblem(
      'body_too_deep',
      `The request body nests deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  if (shape) {
    throw new BodyProblem(
      'body_too_large',
      `The request body has more than ${MAX_JSON_MEMBERS} keys and elements`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw notJson('the request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw notJson('the request body must be a JSON object');
  }
  const member = findBadMember(value);
  if (member?.kind === 'forbidden_key') {
    throw new BodyProblem(
      'validation_failed',
      `${member.field} is not allowed as a key`,
      member.field,
      'key_not_allowed',
    );
  }
  if (member) {
    throw new BodyProblem(
      'validation_failed',
      `${member.field} must be text without NUL characters or unpaired surrogates`,
      member.field,
      'invalid_text',
    );
  }
  const number = findNonIntegerNumber(text);
  if (number) throw new NumberFormProblem(number.key);
  return value;
}

function notJson(message: string): BodyProblem {
  return new BodyProblem('malformed_json', message.charAt(0).toUpperCase() + message.slice(1));
}
