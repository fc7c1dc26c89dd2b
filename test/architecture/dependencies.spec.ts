import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The domain imports nothing from frameworks or infrastructure: deciders,
 * money and accounts stay plain functions over plain data, testable without
 * a database and portable across adapters. Only `nest/` folders, handlers,
 * controllers and adapters may import Nest, drivers or SDKs.
 */
const ROOT = join(__dirname, '../..');
const DOMAIN_DIRS = ['libs/ledger/src'];
const EXEMPT = /\/(nest|bench)\/|\.(spec|int-spec|e2e-spec)\.ts$/;
const FORBIDDEN =
  /from '(@nestjs\/[^']+|pg|@electric-sql\/pglite|stripe|ioredis|bullmq|@eventstore\/db-client|express|@ledger\/(database|read-models|identity|payments|jobs|notifications|runtime))'/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('architecture', () => {
  it('keeps the ledger domain free of frameworks and infrastructure', () => {
    const offenders = DOMAIN_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir)))
      .filter((file) => !EXEMPT.test(file))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => FORBIDDEN.test(line))
          .map((line) => `${relative(ROOT, file)}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });

  it('the check itself recognises a forbidden import', () => {
    expect(FORBIDDEN.test("import { Pool } from 'pg';")).toBe(true);
    expect(FORBIDDEN.test("import { Injectable } from '@nestjs/common';")).toBe(true);
    expect(FORBIDDEN.test("import { decide } from './wallet.decider';")).toBe(false);
  });
});
