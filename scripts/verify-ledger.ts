/**
 * Entry point for `npm run ledger:verify`. The command lives in
 * libs/read-models/src/cli/verify.ts so that `npm run build` compiles it;
 * this file runs the same command from the TypeScript sources.
 */
import { runCli } from '../libs/read-models/src/cli/cli.runtime';
import { verifyCommand } from '../libs/read-models/src/cli/verify';

void runCli(verifyCommand);
