import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigTable, renderEnvExample, withConfigTable } from '../schema/config.docs';

/**
 * `npm run config:example` writes `.env.example` and the configuration table
 * of README.md from the schema; `npm run config:check` (CI) fails when the
 * checked-in files differ from what the schema gives.
 */
async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const root = process.cwd();
  const prettier = await import('prettier');
  const readmePath = join(root, 'README.md');
  const examplePath = join(root, '.env.example');
  const readme = readFileSync(readmePath, 'utf8');
  const wantedReadme = await prettier.format(withConfigTable(readme, renderConfigTable()), {
    ...((await prettier.resolveConfig(readmePath)) ?? {}),
    filepath: readmePath,
  });
  const wantedExample = renderEnvExample();
  const current = (path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  const stale = [
    [examplePath, wantedExample],
    [readmePath, wantedReadme],
  ].filter(([path, wanted]) => current(path!) !== wanted);
  if (check) {
    if (stale.length === 0) return console.log('Configuration docs are current');
    console.error(
      `Out of date with libs/config/src/schema/config.schema.ts: ${stale.map(([p]) => p!.slice(root.length + 1)).join(', ')}. Run npm run config:example and commit.`,
    );
    process.exit(1);
  }
  for (const [path, wanted] of stale) writeFileSync(path!, wanted!);
  console.log(stale.length ? `Wrote ${stale.map(([p]) => p).join(', ')}` : 'Already current');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
