import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The layer rules themselves are checked over the repository by
 * `npm run lint:deps` (dependency-cruiser, `.dependency-cruiser.cjs`). This
 * test shows that each rule can fail: it plants one violation per rule in a
 * small tree shaped like this repository and expects exactly those to be
 * reported, and none for the same tree without them.
 */
const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

type Tree = Record<string, string>;

const CLEAN: Tree = {
  'libs/ledger/src/index.ts': "export * from './money';\n",
  'libs/ledger/src/money.ts': 'export const exponent = 2;\n',
  'libs/ledger/src/nest/ledger.module.ts':
    "import { Module } from '@nestjs/common';\nimport { exponent } from '../money';\nexport const m = [Module, exponent];\n",
  'libs/event-store/src/index.ts': "export * from './port';\n",
  'libs/event-store/src/port.ts': 'export const START = 0;\n',
  'libs/event-store/src/postgres/index.ts':
    "import { Pool } from 'pg';\nimport { START } from '../port';\nexport const a = [Pool, START];\n",
  'apps/api/src/main.ts':
    "import { exponent } from '../../../libs/ledger/src';\nimport { a } from '../../../libs/event-store/src/postgres';\nexport const x = [exponent, a];\n",
  'apps/worker/src/main.ts':
    "import { exponent } from '../../../libs/ledger/src';\nexport const y = exponent;\n",
};

const PLANTED: Tree = {
  // domain-is-pure, through a module in between
  'libs/ledger/src/money.ts':
    "import { helper } from './helper';\nexport const exponent = helper;\n",
  'libs/ledger/src/helper.ts': "import { Pool } from 'pg';\nexport const helper = Pool.length;\n",
  // event-store-port-loads-no-adapter
  'libs/event-store/src/index.ts': "export * from './port';\nexport * from './postgres';\n",
  // no-cycles
  'apps/api/src/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
  'apps/api/src/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
  // production-code-imports-no-test
  'apps/api/src/c.ts': "import { t } from './c.spec';\nexport const c = t;\n",
  'apps/api/src/c.spec.ts': 'export const t = 1;\n',
  // no-app-to-app
  'apps/worker/src/d.ts': "import { x } from '../../api/src/main';\nexport const d = x;\n",
};

function violations(tree: Tree): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  try {
    for (const [path, text] of Object.entries(tree)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node' } }),
    );
    const run = spawnSync(
      process.execPath,
      [
        CLI,
        'apps',
        'libs',
        '--config',
        join(ROOT, '.dependency-cruiser.cjs'),
        '--output-type',
        'json',
      ],
      { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (!run.stdout) throw new Error(`dependency-cruiser did not run: ${run.stderr}`);
    const report = JSON.parse(run.stdout) as {
      summary: { violations: Array<{ rule: { name: string } }> };
    };
    return [...new Set(report.summary.violations.map((v) => v.rule.name))].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the layer rules', () => {
  it('find nothing in a tree that keeps them', () => {
    expect(violations(CLEAN)).toEqual([]);
  });

  it('name each planted violation, including one reached through another module', () => {
    expect(violations({ ...CLEAN, ...PLANTED })).toEqual([
      'domain-is-pure',
      'event-store-port-loads-no-adapter',
      'no-app-to-app',
      'no-cycles',
      'production-code-imports-no-test',
    ]);
  });
});
