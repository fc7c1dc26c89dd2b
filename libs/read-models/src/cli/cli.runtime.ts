import { ConfigError, loadAppConfig } from '@ledger/config';
import { openRuntime, type Runtime } from '@ledger/runtime';

/**
 * The read-model commands run on the same runtime as the service, chosen by
 * the same configuration (LEDGER_STORE, DATABASE_URL, EVENTSTORE_URL,
 * LEDGER_DATA_DIR), so they read the events and tables the service writes.
 */
export type CliRuntime = Pick<Runtime, 'db' | 'store' | 'close'>;

/** Runs a command's body with a runtime, mapping the outcome to an exit status. */
export async function runCli(
  body: (runtime: CliRuntime, args: readonly string[]) => Promise<number>,
): Promise<void> {
  let runtime: CliRuntime | undefined;
  try {
    runtime = await openRuntime(loadAppConfig());
    process.exitCode = await body(runtime, process.argv.slice(2));
  } catch (error) {
    const message =
      error instanceof ConfigError
        ? `Configuration error: ${error.message}`
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error);
    console.error(message);
    process.exitCode = 2;
  } finally {
    await runtime?.close().catch(() => undefined);
  }
}
