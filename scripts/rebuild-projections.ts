/**
 * Entry point for `npm run projections:rebuild`. The command lives in
 * libs/read-models/src/cli/rebuild.ts so that `npm run build` compiles it;
 * this file runs the same command from the TypeScript sources.
 */
import { runCli } from '../libs/read-models/src/cli/cli.runtime';
import { rebuildCommand } from '../libs/read-models/src/cli/rebuild';

void runCli(rebuildCommand);
