import { json } from 'express';
import type { IncomingMessage } from 'node:http';
import { findNonIntegerNumber } from './json-number-scan';

export type RawBodyRequest = IncomingMessage & { rawBody?: Buffer };

export class NumberFormProblem extends Error {
  readonly status = 400;
  constructor(readonly key: string) {
    super(
      `${key || 'a number'} must be a whole number of minor units, as a JSON integer or a string of digits (no fractions or exponents)`,
    );
  }
}

/**
 * The JSON body parser: bounded size, strict (objects and arrays only), the
 * raw bytes kept for webhook signature checks, and number literals with a
 * fraction or an exponent refused before they are silently converted.
 */
export function jsonBodyParser(limitBytes: number) {
  return json({
    limit: limitBytes,
    strict: true,
    verify: (req: RawBodyRequest, _res, buffer) => {
      req.rawBody = buffer;
      const problem = findNonIntegerNumber(buffer.toString('utf8'));
      if (problem) throw new NumberFormProblem(problem.key);
    },
  });
}
