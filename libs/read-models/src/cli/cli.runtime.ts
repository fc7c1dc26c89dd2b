import type { Runtime } from '@ledger/runtime';

export { runCli } from '@ledger/runtime';

/**
 * The read-model commands run on the same runtime as the service, chosen by
 * the same configuration (LEDGER_STORE, DATABASE_URL, EVENTSTORE_URL,
 * LEDGER_DATA_DIR), so they read the events and tables the service writes.
 */
export type CliRuntime = Pick<Runtime, 'db' | 'store' | 'close'>;
