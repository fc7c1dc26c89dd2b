import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadAppConfig } from '@ledger/config';
import { openRuntime } from '@ledger/runtime';
import { createApp } from '../app.factory';

/**
 * Prints the OpenAPI document exactly as the service serves it, from a
 * throwaway embedded instance, so the web app's client is generated from
 * what the API answers rather than from a copy that could drift.
 */
async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-openapi-'));
  const env = { LEDGER_DATA_DIR: dataDir, LEDGER_STORE: 'pglite', LOG_LEVEL: 'silent' };
  const runtime = await openRuntime(loadAppConfig(env));
  const app = await createApp(runtime, { logger: false, env });
  try {
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/openapi.json`);
    if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
    process.stdout.write(JSON.stringify(await response.json(), null, 2) + '\n');
  } finally {
    await app.close();
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
