import { z } from 'zod';

/**
 * The forms a configuration variable can take. Each kind is a zod schema from
 * the raw environment string (or undefined) to the typed value, with the
 * expected form spelled out for the error message, `.env.example` and the
 * docs' table. Messages read "<NAME> <message>", e.g. "PORT must be between 0
 * and 65535, got 70000"; a secret's value is never repeated in a message.
 */
export interface Kind<T> {
  /** The expected form, in words: "a whole number from 1 to 200". */
  readonly form: string;
  /** The default as written in the environment; undefined when there is none (or it is derived). */
  readonly default?: string;
  schema(secret: boolean): z.ZodType<T, string | undefined>;
}

function shown(raw: string, secret: boolean): string {
  return secret ? '' : `, got "${raw}"`;
}

function blank(raw: string | undefined): raw is undefined {
  return raw === undefined || raw === '';
}

/** A whole number within a range; `fallback` undefined leaves the default to the reader (derived). */
export function integer(range: { min: number; max: number }): Kind<number | undefined>;
export function integer(range: { min: number; max: number }, fallback: number): Kind<number>;
export function integer(
  range: { min: number; max: number },
  fallback?: number,
): Kind<number | undefined> {
  return {
    form: `a whole number from ${range.min} to ${range.max}`,
    default: fallback === undefined ? undefined : String(fallback),
    schema: (secret) =>
      z
        .string()
        .optional()
        .transform((raw, ctx) => {
          if (blank(raw)) return fallback;
          if (!/^\d+$/.test(raw)) {
            ctx.addIssue({
              code: 'custom',
              message: `must be a whole number${shown(raw, secret)}`,
            });
            return z.NEVER;
          }
          const value = Number(raw);
          if (value < range.min || value > range.max) {
            ctx.addIssue({
              code: 'custom',
              message: `must be between ${range.min} and ${range.max}${secret ? '' : `, got ${value}`}`,
            });
            return z.NEVER;
          }
          return value;
        }),
  };
}

/** An amount in minor units of any currency: a whole number up to int8, read exactly as bigint. */
export function minorUnits(fallback: bigint): Kind<bigint> {
  return {
    form: 'a whole number of minor units (up to 18 digits)',
    default: fallback.toString(),
    schema: (secret) =>
      z
        .string()
        .optional()
        .transform((raw, ctx) => {
          if (blank(raw)) return fallback;
          if (!/^\d{1,18}$/.test(raw)) {
            ctx.addIssue({
              code: 'custom',
              message: `must be a whole number of minor units${shown(raw, secret)}`,
            });
            return z.NEVER;
          }
          return BigInt(raw);
        }),
  };
}

/** One of a fixed set of words. */
export function oneOf<const T extends string>(allowed: readonly T[]): Kind<T | undefined>;
export function oneOf<const T extends string>(allowed: readonly T[], fallback: T): Kind<T>;
export function oneOf<const T extends string>(
  allowed: readonly T[],
  fallback?: T,
): Kind<T | undefined> {
  return {
    form: `one of ${allowed.join(', ')}`,
    default: fallback,
    schema: (secret) =>
      z
        .string()
        .optional()
        .transform((raw, ctx) => {
          if (blank(raw)) return fallback;
          if (!(allowed as readonly string[]).includes(raw)) {
            ctx.addIssue({
              code: 'custom',
              message: `must be one of ${allowed.join(', ')}${shown(raw, secret)}`,
            });
            return z.NEVER;
          }
          return raw as T;
        }),
  };
}

/**
 * Free text, optionally of a shape (`pattern`, described by `form`). An empty
 * value counts as unset, as it always has in this service.
 */
interface TextOptions {
  readonly pattern?: RegExp;
  readonly form?: string;
  /** The message when the pattern does not match; "must be <form>" by default. */
  readonly message?: string;
}
export function text(options?: TextOptions): Kind<string | undefined>;
export function text(options: TextOptions & { fallback: string }): Kind<string>;
export function text(options: TextOptions & { fallback?: string } = {}): Kind<string | undefined> {
  const form = options.form ?? 'text';
  return {
    form,
    default: options.fallback,
    schema: (secret) =>
      z
        .string()
        .optional()
        .transform((raw, ctx) => {
          if (blank(raw)) return options.fallback;
          if (options.pattern && !options.pattern.test(raw)) {
            ctx.addIssue({
              code: 'custom',
              message: `${options.message ?? `must be ${form}`}${shown(raw, secret)}`,
            });
            return z.NEVER;
          }
          return raw;
        }),
  };
}

/** A URL with one of the given schemes (`redis`, `rediss`, …). */
export function url(schemes: readonly string[], example: string): Kind<string | undefined> {
  const starts = schemes.map((s) => `${s}://`).join(' or ');
  return text({
    pattern: new RegExp(`^(${schemes.map((s) => s.replace(/[+]/g, '\\+')).join('|')})://`),
    form: `a URL starting with ${starts}, e.g. ${example}`,
    message: `must start with ${starts}`,
  });
}

/** Base64 of exactly `bytes` bytes (keys: `openssl rand -base64 32`). */
export function base64Key(bytes: number): Kind<string | undefined> {
  const form = `${bytes} bytes in base64 (openssl rand -base64 ${bytes})`;
  return {
    form,
    schema: () =>
      z
        .string()
        .optional()
        .transform((raw, ctx) => {
          if (blank(raw)) return undefined;
          if (Buffer.from(raw, 'base64').length !== bytes) {
            ctx.addIssue({ code: 'custom', message: `must be ${form}` });
            return z.NEVER;
          }
          return raw;
        }),
  };
}
