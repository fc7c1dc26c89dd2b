import { rebuildReadModels } from '../rebuild/read-models.rebuild';
import { runCli, type CliRuntime } from './cli.runtime';

/**
 * `npm run projections:rebuild`: rebuilds every read model from the start of
 * the log beside the live ones and swaps them in. Safe while the service runs.
 */
export async function rebuildCommand({ db, store }: CliRuntime): Promise<number> {
  const result = await rebuildReadModels(db, store);
  console.log(JSON.stringify(result));
  return 0;
}

if (require.main === module) void runCli(rebuildCommand);
