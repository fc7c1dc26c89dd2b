import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { OPERATIONS, TAGS, type OperationSpec } from './openapi.operations';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { REJECTION_STATUS, type ApiRejection } from './rejection';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * The OpenAPI document the API serves at /openapi.json and that clients are
 * generated from. Nest's scan gives paths, parameters and bodies; this adds
 * what every operation must carry: an operationId and summary from
 * `openapi.operations.ts`, its security, and its error answers, generated
 * from the one rejection table so they cannot drift from what is answered.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Ledger')
    .setDescription(
      'Event-sourced double-entry ledger and wallets. Amounts are integer minor units: accepted as a JSON integer or a string of digits, always returned as strings. Errors are RFC 9457 problem details (`application/problem+json`); every list answers `{ items, nextCursor }` and takes `?cursor=&limit=`.',
    )
    .setVersion('1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('/', 'The server this document was read from')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer');
  for (const [name, description] of Object.entries(TAGS)) config.addTag(name, description);
  const document = SwaggerModule.createDocument(app, config.build());
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: problemSchema() },
    responses: { ...document.components?.responses, ...problemResponses() },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) completeOperation(`${method.toUpperCase()} ${path}`, operation);
    }
  }
  return document;
}

function completeOperation(key: string, operation: Operation): void {
  // A route not yet named in openapi.operations.ts keeps Nest's id, and
  // undescribedOperations() reports it: the check fails CI, the service runs.
  const spec: Partial<OperationSpec> = OPERATIONS[key] ?? {};
  if (spec.operationId) operation.operationId = spec.operationId;
  if (spec.summary) operation.summary = spec.summary;
  operation.security = spec.public ? [] : [{ bearer: [] }];
  for (const status of errorStatuses(key, spec.public === true, operation)) {
    operation.responses[String(status)] ??= { $ref: `#/components/responses/Problem${status}` };
  }
}

/** Operations of the document without an entry in openapi.operations.ts. */
export function undescribedOperations(document: OpenAPIObject): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] && !OPERATIONS[`${m.toUpperCase()} ${path}`]).map(
      (m) => `${m.toUpperCase()} ${path}`,
    ),
  );
}

/**
 * The statuses an operation can refuse with. Every route validates its input
 * (400) and may fail (500); a protected one answers 401 and 403, one with a
 * path parameter 404, a write 409 and 422 (the ledger's refusals) and one
 * with a body 413 and 415, and reads that wait for the read models 503.
 */
function errorStatuses(key: string, isPublic: boolean, operation: Operation): number[] {
  const statuses = [400, 500];
  if (!isPublic) statuses.push(401, 403);
  if (key.includes('{')) statuses.push(404);
  if (!key.startsWith('GET ')) statuses.push(409, 422);
  if (/^(POST|PUT|PATCH) /.test(key)) statuses.push(413, 415);
  if (key.startsWith('GET ') || operation.parameters?.some(isIdempotencyKey)) statuses.push(503);
  if (isPublic && !key.startsWith('GET ')) statuses.push(429);
  return statuses.sort();
}

function isIdempotencyKey(p: unknown): boolean {
  return typeof p === 'object' && p !== null && (p as { name?: string }).name === 'Idempotency-Key';
}

/** The codes a status stands for, listed from the one table. */
export function codesOf(status: number): ApiRejection[] {
  return (Object.keys(REJECTION_STATUS) as ApiRejection[])
    .filter((code) => REJECTION_STATUS[code] === status)
    .sort();
}

/** One shared answer per error status, each listing the codes it stands for. */
function problemResponses() {
  const statuses = [...new Set(Object.values(REJECTION_STATUS))].sort();
  return Object.fromEntries(statuses.map((s) => [`Problem${s}`, problemResponse(s)]));
}

function problemResponse(status: number) {
  const codes = codesOf(status);
  return {
    description: `Refused: \`code\` is one of ${codes.map((c) => `\`${c}\``).join(', ')}`,
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: {
          allOf: [
            { $ref: '#/components/schemas/Problem' },
            { type: 'object' as const, properties: { code: { type: 'string', enum: codes } } },
          ],
        },
      },
    },
  };
}

function problemSchema() {
  const legacy = (description: string, type: 'string' | 'integer') => ({
    type,
    deprecated: true,
    description,
  });
  return {
    type: 'object' as const,
    description: 'An RFC 9457 problem, plus the rejection code',
    required: ['type', 'title', 'status', 'detail', 'code', 'statusCode', 'error', 'message'],
    properties: {
      type: {
        type: 'string',
        format: 'uri-reference',
        description: '/problems/{code}: stable per rejection; about:blank for a bare HTTP status',
        example: '/problems/wallet_not_found',
      },
      title: { type: 'string', example: 'Wallet not found' },
      status: { type: 'integer', example: 404 },
      detail: { type: 'string', example: 'The wallet does not exist' },
      code: { type: 'string', example: 'wallet_not_found', description: 'What clients branch on' },
      errors: {
        type: 'array',
        description: 'With validation_failed: each field at fault',
        items: {
          type: 'object',
          required: ['field', 'code', 'message'],
          properties: {
            field: { type: 'string', example: 'currency' },
            code: { type: 'string', example: 'is_supported_currency' },
            message: { type: 'string' },
          },
        },
      },
      statusCode: legacy('Deprecated: the same as status; removed in the next release', 'integer'),
      error: legacy('Deprecated: the same as code; removed in the next release', 'string'),
      message: legacy('Deprecated: the same as detail; removed in the next release', 'string'),
      details: {
        deprecated: true,
        description: 'Deprecated: errors without their codes; removed in the next release',
      },
    },
  };
}
