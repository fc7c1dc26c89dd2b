import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../env';
import { README_TABLE_END, README_TABLE_START, renderEnvExample } from './config.docs';
import { VARIABLES } from './config.schema';
import { checkConfiguration, configurationProblems, setting } from './settings';

const ROOT = join(__dirname, '../../../..');

describe('the configuration schema', () => {
  it('names every invalid variable at once, each with its expected form', () => {
    const env = {
      PORT: 'eighty',
      LEDGER_ROLE: 'both',
      REDIS_URL: 'localhost:6379',
      HTTP_REQUEST_TIMEOUT_MS: '50',
      METRICS_TOKEN: 'short-token',
    };
    let error: unknown;
    try {
      checkConfiguration(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/^5 problems:/);
    expect(message).toContain('PORT must be a whole number, got "eighty"');
    expect(message).toContain('LEDGER_ROLE must be one of all, api, worker, got "both"');
    expect(message).toContain('REDIS_URL must start with redis:// or rediss://');
    expect(message).toContain('HTTP_REQUEST_TIMEOUT_MS must be between 100 and 600000, got 50');
    expect(message).toContain('METRICS_TOKEN must be at least 16 characters');
  });

  it('never repeats a secret in a message', () => {
    const problems = configurationProblems({
      METRICS_TOKEN: 'hunter2',
      REDIS_URL: 'http://user:pw@x',
    });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toMatch(/hunter2|pw@x/);
  });

  it('adds the rules of the section readers after the per-variable ones, once each', () => {
    const reader = (): never => {
      throw new ConfigError('LEDGER_STORE=esdb needs EVENTSTORE_URL');
    };
    const repeating = (): never => {
      throw new ConfigError('PORT must be a whole number, got "x"');
    };
    expect(() => checkConfiguration({ PORT: 'x' }, [reader, repeating])).toThrow(
      new ConfigError(
        '2 problems:\n  - PORT must be a whole number, got "x"\n  - LEDGER_STORE=esdb needs EVENTSTORE_URL',
      ),
    );
  });

  it('gives defaults and typed values', () => {
    expect(setting({}, 'PORT')).toBe(3000);
    expect(setting({ PORT: '' }, 'PORT')).toBe(3000);
    expect(setting({ PORT: '8080' }, 'PORT')).toBe(8080);
    expect(setting({}, 'IDEMPOTENCY_LEASE_MS')).toBeUndefined();
    const settings = checkConfiguration({ LOG_LEVEL: 'debug' });
    expect(settings).toMatchObject({ LOG_LEVEL: 'debug', WORKER_HTTP_PORT: 3001 });
    expect(settings.DATABASE_URL).toBeUndefined();
  });

  it('gives secrets no default value', () => {
    for (const [name, spec] of Object.entries(VARIABLES)) {
      if ('secret' in spec && spec.secret)
        expect([name, spec.kind.default]).toEqual([name, undefined]);
    }
  });
});

describe('the generated configuration docs', () => {
  it('.env.example is what the schema gives (npm run config:example)', () => {
    expect(readFileSync(join(ROOT, '.env.example'), 'utf8')).toBe(renderEnvExample());
  });

  it("README's table lists every variable of the schema", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(
      readme.indexOf(README_TABLE_START),
      readme.indexOf(README_TABLE_END),
    );
    const listed = [...table.matchAll(/^\| `([A-Z0-9_]+)`/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.keys(VARIABLES).sort());
  });

  it('every variable the service reads is in the schema', () => {
    const names = new Set(Object.keys(VARIABLES));
    const unknown: string[] = [];
    for (const file of sources(join(ROOT, 'apps')).concat(sources(join(ROOT, 'libs')))) {
      const text = readFileSync(file, 'utf8');
      const read = [
        ...text.matchAll(/\b(?:env|process\.env)\.([A-Z][A-Z0-9_]+)/g),
        ...text.matchAll(
          /\b(?:setting|readString|readOptional|readInt|readEnum|readSecret)\(\s*env,\s*'([A-Z][A-Z0-9_]+)'/g,
        ),
      ].map((m) => m[1]!);
      for (const name of read)
        if (!names.has(name)) unknown.push(`${name} (${file.slice(ROOT.length + 1)})`);
    }
    expect(unknown).toEqual([]);
  });
});

/** Production sources: no tests, benchmarks, test helpers or the web app (it reads no environment). */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      return ['node_modules', 'bench', 'testing', 'web'].includes(entry) ? [] : sources(path);
    }
    return /\.ts$/.test(entry) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry) ? [path] : [];
  });
}
