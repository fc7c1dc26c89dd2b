import { verifyLedger } from '../verify/ledger-verifier';
import { formatReport } from '../verify/verify.report';
import { runCli, type CliRuntime } from './cli.runtime';

/**
 * `npm run ledger:verify [-- --json] [-- --log-only]`: replays the log, checks
 * the ledger and compares the read models. Exit status 0 when clean, 1 when
 * any difference was found, 2 when the check could not run.
 */
export async function verifyCommand(
  { db, store }: CliRuntime,
  args: readonly string[],
): Promise<number> {
  const report = await verifyLedger(db, store, { compareReadModels: !args.includes('--log-only') });
  console.log(args.includes('--json') ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.clean ? 0 : 1;
}

if (require.main === module) void runCli(verifyCommand);
