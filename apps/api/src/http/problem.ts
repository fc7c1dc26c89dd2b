import { HttpStatus } from '@nestjs/common';
import { isApiRejection, type ApiRejection } from './rejection';

/**
 * Where the problem types live: `type` is this prefix and the rejection
 * code, a URI reference relative to the API's own address, where
 * `GET /problems/{code}` describes it. The path never changes for a code.
 */
export const PROBLEM_TYPE_BASE = '/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  readonly field: string;
  /** What is wrong with the field, as a stable snake_case name (`is_uuid`, `not_allowed`). */
  readonly code: string;
  readonly message: string;
}

/**
 * An error answer as RFC 9457 describes it, plus the rejection `code`. The
 * last four members are the body this API answered before RFC 9457; they
 * are kept for one release so existing clients keep working.
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly errors?: readonly FieldError[];
  /** @deprecated the same as `status`. */
  readonly statusCode: number;
  /** @deprecated the same as `code`. */
  readonly error: string;
  /** @deprecated the same as `detail`. */
  readonly message: string;
  /** @deprecated `errors` without their codes. */
  readonly details?: unknown;
}

/** The stable URI of a rejection; a code outside the table has no more meaning than its status. */
export function problemType(code: string): string {
  return isApiRejection(code) ? `${PROBLEM_TYPE_BASE}${code}` : 'about:blank';
}

/** `wallet_not_found` → `Wallet not found`: the same for every occurrence of the problem type. */
export function problemTitle(code: string, status: number): string {
  if (!isApiRejection(code)) return httpPhrase(status);
  const words = code.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function toProblem(input: {
  status: number;
  code: string;
  detail: string;
  errors?: readonly FieldError[];
  details?: unknown;
}): Problem {
  const { status, code, detail, errors, details } = input;
  return {
    type: problemType(code),
    title: problemTitle(code, status),
    status,
    detail,
    code,
    ...(errors && errors.length > 0 && { errors }),
    statusCode: status,
    error: code,
    message: detail,
    ...(details !== undefined && { details }),
  };
}

/** Field errors from the older `details: [{field, message}]` form, where a thrower still uses it. */
export function fieldErrorsOf(details: unknown, fallbackCode: string): FieldError[] | undefined {
  if (!Array.isArray(details)) return undefined;
  return details.flatMap((d: unknown) => {
    if (typeof d !== 'object' || d === null) return [];
    const { field, message, code } = d as Record<string, unknown>;
    if (typeof field !== 'string' || typeof message !== 'string') return [];
    return [{ field, code: typeof code === 'string' ? code : fallbackCode, message }];
  });
}

/** A snake_case code for a bare HTTP status (Nest's own exceptions): 405 → `method_not_allowed`. */
export function codeOfStatus(status: number): string {
  const name = HttpStatus[status];
  return typeof name === 'string' ? name.toLowerCase() : 'error';
}

function httpPhrase(status: number): string {
  const words = codeOfStatus(status).replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export type { ApiRejection };
