import { loadAppConfig } from '@ledger/config';
import { openRuntime } from '../runtime';

/** `npm run migrate`: applies pending migrations (the service also applies them at start) and exits. */
async function main(): Promise<void> {
  const runtime = await openRuntime(loadAppConfig());
  await runtime.close();
  console.log('Migrations applied');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
