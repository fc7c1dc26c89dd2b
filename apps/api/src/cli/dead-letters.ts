import { SecurityAuditService } from '@ledger/identity';
import { createJobQueue, DeadLetters, readJobsConfig, REASON_LENGTH } from '@ledger/jobs';
import { runCli, type Runtime } from '@ledger/runtime';
import { SERVICE_QUEUES } from '@ledger/service';

export const USAGE = [
  'Usage: npm run jobs:dead-letters -- list [--limit N] [--cursor C]',
  '       npm run jobs:dead-letters -- show <id>',
  '       npm run jobs:dead-letters -- retry <id> --reason "<why>"',
].join('\n');

export type DeadLetterCommand =
  | { readonly command: 'list'; readonly limit: number; readonly cursor?: string }
  | { readonly command: 'show'; readonly id: string }
  | { readonly command: 'retry'; readonly id: string; readonly reason: string };

/** What the command line asks for, or why it cannot be understood. */
export function parseDeadLetterArgs(
  args: readonly string[],
): DeadLetterCommand | { problem: string } {
  const [command, ...rest] = args;
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg.startsWith('--')) {
      const value = rest[++i];
      if (value === undefined) return { problem: `${arg} needs a value` };
      flags.set(arg.slice(2), value);
    } else positional.push(arg);
  }
  if (command === 'list') {
    const limit = Number(flags.get('limit') ?? '50');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return { problem: '--limit must be a whole number from 1 to 100' };
    return { command, limit, cursor: flags.get('cursor') };
  }
  if (command === 'show' || command === 'retry') {
    if (positional.length !== 1) return { problem: `${command} takes exactly one job id` };
    const id = positional[0]!;
    if (command === 'show') return { command, id };
    const reason = (flags.get('reason') ?? '').trim();
    if (reason.length < REASON_LENGTH.min || reason.length > REASON_LENGTH.max)
      return {
        problem: `retry needs --reason "<why>", ${REASON_LENGTH.min} to ${REASON_LENGTH.max} characters (kept in the security audit trail; no personal data)`,
      };
    return { command, id, reason };
  }
  return { problem: `Unknown command "${command ?? ''}"` };
}

/**
 * Runs one command against the configured job queue (BullMQ with REDIS_URL,
 * the in-process queue's table otherwise); prints JSON. Exit 0 done, 1 not
 * found, 2 could not run.
 */
export async function runDeadLetterCommand(
  runtime: Pick<Runtime, 'db' | 'store'>,
  command: DeadLetterCommand,
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<number> {
  const queue = createJobQueue(readJobsConfig(env), runtime.db);
  try {
    const deadLetters = new DeadLetters(
      queue,
      new SecurityAuditService(runtime.store, runtime.db),
      SERVICE_QUEUES,
    );
    const result =
      command.command === 'list'
        ? await deadLetters.list({ limit: command.limit, cursor: command.cursor })
        : command.command === 'show'
          ? await deadLetters.show(command.id)
          : await deadLetters.retry(command.id, { by: 'operator CLI', reason: command.reason });
    if (typeof result === 'string') {
      print(
        result === 'invalid_cursor'
          ? 'That is not a cursor this command printed.'
          : `No dead-letter job ${'id' in command ? command.id : ''}`,
      );
      return 1;
    }
    print(JSON.stringify(result, null, 2));
    return 0;
  } finally {
    await queue.close();
  }
}

if (require.main === module) {
  const parsed = parseDeadLetterArgs(process.argv.slice(2));
  if ('problem' in parsed) {
    console.error(`${parsed.problem}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    void runCli((runtime) =>
      runDeadLetterCommand(runtime, parsed, process.env, (line) => console.log(line)),
    );
  }
}
