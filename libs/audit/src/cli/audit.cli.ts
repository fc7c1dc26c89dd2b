import { runCliWithOptionalRuntime } from '@ledger/runtime';

/** The value after `--name`, or undefined. */
export function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * Runs an audit command's body, mapping the outcome to an exit status: the
 * body's own (0 clean, 1 findings), or 2 when the check could not run at all.
 * `needsRuntime` false: the body needs no database (offline verify).
 */
export const runAuditCli = runCliWithOptionalRuntime;
