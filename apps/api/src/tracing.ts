import { startTracing } from '@ledger/service/tracing';

/**
 * Imported first by main.ts: tracing has to start before http, express, pg
 * and ioredis are loaded, for its instrumentations to patch them. Nothing is
 * loaded when TRACING_ENABLED is not `true`. A bad tracing variable leaves
 * tracing off here; the configuration check in main() then reports it with
 * every other problem.
 */
export const tracing = (() => {
  try {
    return startTracing(
      process.env,
      process.env.LEDGER_ROLE === 'worker' ? 'ledger-worker' : 'ledger-api',
    );
  } catch {
    return undefined;
  }
})();
