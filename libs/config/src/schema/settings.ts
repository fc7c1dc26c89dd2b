import { ConfigError, type Env } from '../env';
import {
  CONFIG_SCHEMA,
  VARIABLES,
  type SettingValue,
  type Settings,
  type VariableName,
} from './config.schema';

/**
 * One variable's value as the schema parses it (its default when unset), for
 * the typed readers; a bad value throws a ConfigError naming the variable and
 * the expected form.
 */
export function setting<K extends VariableName>(env: Env, name: K): SettingValue<K> {
  const result = CONFIG_SCHEMA.shape[name].safeParse(env[name]);
  if (!result.success)
    throw new ConfigError(`${name} ${result.error.issues[0]?.message ?? 'is invalid'}`);
  return result.data as SettingValue<K>;
}

/** Every problem with the environment, one line each, in the schema's order; empty when all are valid. */
export function configurationProblems(env: Env): string[] {
  const result = CONFIG_SCHEMA.safeParse(env);
  if (result.success) return [];
  const order = Object.keys(VARIABLES);
  return result.error.issues
    .map((issue) => ({ name: String(issue.path[0]), message: issue.message }))
    .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
    .map(({ name, message }) => `${name} ${message}`);
}

/**
 * Checks the whole environment once, at start-up, and reports every invalid
 * variable in one ConfigError (one line per problem): first each variable
 * against its form, then the rules that relate several variables, which the
 * section readers in `readers` enforce (each reader's first complaint is
 * listed; a complaint already listed is not repeated). Returns the parsed
 * settings.
 */
export function checkConfiguration(
  env: Env,
  readers: readonly ((env: Env) => unknown)[] = [],
): Settings {
  const problems = configurationProblems(env);
  for (const read of readers) {
    try {
      read(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      if (!problems.includes(error.message)) problems.push(error.message);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(
      problems.length === 1
        ? problems[0]!
        : `${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return CONFIG_SCHEMA.parse(env) as Settings;
}
