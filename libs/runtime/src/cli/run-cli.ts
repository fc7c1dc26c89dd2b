import { ConfigError, loadAppConfig } from '@ledger/config';
import { openRuntime, type Runtime } from '../runtime';

/**
 * Runs a command-line tool's body on the same runtime as the service (chosen
 * by the same configuration), mapping its outcome to an exit status: the
 * body's own (0 clean, 1 findings), or 2 when it could not run at all. The
 * message of a failure is printed without its stack.
 */
export function runCli(
  body: (runtime: Runtime, args: readonly string[]) => Promise<number>,
): Promise<void> {
  return run(async (args) => {
    const runtime = await openRuntime(loadAppConfig());
    return { runtime, status: () => body(runtime, args) };
  });
}

/** As runCli, for a tool that needs the database only for some arguments (offline checks). */
export function runCliWithOptionalRuntime(
  body: (runtime: Runtime | undefined, args: readonly string[]) => Promise<number>,
  needsRuntime: (args: readonly string[]) => boolean,
): Promise<void> {
  return run(async (args) => {
    const runtime = needsRuntime(args) ? await openRuntime(loadAppConfig()) : undefined;
    return { runtime, status: () => body(runtime, args) };
  });
}

async function run(
  open: (
    args: readonly string[],
  ) => Promise<{ runtime: Runtime | undefined; status: () => Promise<number> }>,
): Promise<void> {
  let runtime: Runtime | undefined;
  try {
    const opened = await open(process.argv.slice(2));
    runtime = opened.runtime;
    process.exitCode = await opened.status();
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
