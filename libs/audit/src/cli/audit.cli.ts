import { ConfigError, loadAppConfig } from '@ledger/config';
import { openRuntime, type Runtime } from '@ledger/runtime';

/** The value after `--name`, or undefined. */
export function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * Runs a command's body, mapping the outcome to an exit status: the body's
 * own (0 clean, 1 findings), or 2 when the check could not run at all.
 * `runtime` false: the body needs no database (offline verify).
 */
export async function runAuditCli(
  body: (runtime: Runtime | undefined, args: readonly string[]) => Promise<number>,
  needsRuntime: (args: readonly string[]) => boolean,
): Promise<void> {
  const args = process.argv.slice(2);
  let runtime: Runtime | undefined;
  try {
    if (needsRuntime(args)) runtime = await openRuntime(loadAppConfig());
    process.exitCode = await body(runtime, args);
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
