import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from '@ledger/config';
import { openRuntime } from '@ledger/runtime';
import { createApp } from '../app.factory';
import { buildOpenApiDocument, undescribedOperations } from '../http/openapi';

/**
 * `npm run openapi [-- <file>]`: writes the OpenAPI document without a
 * server listening, on a throwaway embedded database with throwaway
 * secrets, so that CI and client generation need nothing running. Without a
 * file it prints to stdout.
 */
async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-openapi-'));
  const env = {
    LEDGER_DATA_DIR: dataDir,
    LEDGER_JWT_SECRET: randomBytes(48).toString('base64'),
    LEDGER_IDENTITY_DATA_KEY: randomBytes(32).toString('base64'),
  };
  const runtime = await openRuntime(loadAppConfig(env));
  try {
    const app = await createApp(runtime, { logger: false, env });
    const document = buildOpenApiDocument(app);
    await app.close();
    const undescribed = undescribedOperations(document);
    if (undescribed.length > 0) {
      throw new Error(
        `Operations without an id and summary in openapi.operations.ts: ${undescribed.join(', ')}`,
      );
    }
    const text = `${JSON.stringify(document, null, 2)}\n`;
    const file = process.argv[2];
    if (file) writeFileSync(file, text);
    else process.stdout.write(text);
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
