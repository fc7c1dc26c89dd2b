import { must } from '@ledger/invariant';
import { ConfigError, loadAppConfig } from '@ledger/config';
import { openRuntime, type Runtime } from '@ledger/runtime';
import { grantRoles } from '../access/role-grants';
import { readDataKey } from '../identity.config';
import { isRejected } from '../identity.rejections';
import { ROLES, type Role } from '../principal';

const USAGE = 'Usage: npm run admin:grant -- <email> [--role admin|finance|auditor|customer]...';

/** What the command line asks for, or why it cannot be understood. */
export function parseGrantArgs(
  args: readonly string[],
): { email: string; roles: Role[] } | { problem: string } {
  const roles: Role[] = [];
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = must(args[i], 'argument');
    if (arg !== '--role') {
      positional.push(arg);
      continue;
    }
    const role = args[++i];
    if (!ROLES.includes(role as Role))
      return { problem: `--role must be one of ${ROLES.join(', ')}; got "${role ?? ''}"` };
    roles.push(role as Role);
  }
  const [email] = positional;
  if (positional.length !== 1 || email === undefined)
    return { problem: 'Give exactly one e-mail address' };
  return { email, roles: roles.length > 0 ? roles : ['admin'] };
}

/** The explanation an operator needs for each refusal. */
const REFUSALS: Record<string, string> = {
  email_invalid: 'That is not an e-mail address.',
  user_not_found:
    'No user has that e-mail address. They sign up first (POST /auth/signup), then verify it.',
  user_email_not_verified:
    'That user has not verified their e-mail address yet (POST /me/email/verification, then POST /me/email/verify).',
};

/**
 * `npm run admin:grant -- <email> [--role …]`: gives roles (admin by default)
 * to an existing user with a verified e-mail, against the database and keys
 * the service is configured with. Exit status 0 when granted, 1 when
 * refused, 2 when it could not run.
 */
async function main(): Promise<void> {
  const parsed = parseGrantArgs(process.argv.slice(2));
  if ('problem' in parsed) {
    console.error(`${parsed.problem}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  let runtime: Runtime | undefined;
  try {
    const config = loadAppConfig();
    const dataKey = readDataKey(process.env, config.dataDir);
    runtime = await openRuntime(config);
    const result = await grantRoles({ ...runtime, dataKey }, parsed.email, parsed.roles);
    if (isRejected(result)) {
      console.error(REFUSALS[result.rejected] ?? `Refused: ${result.rejected}`);
      process.exitCode = 1;
      return;
    }
    console.log(`User ${result.userId} now has roles: ${result.roles.join(', ')}`);
  } catch (error) {
    console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
    process.exitCode = 2;
  } finally {
    await runtime?.close().catch(() => undefined);
  }
}

if (require.main === module) void main();
