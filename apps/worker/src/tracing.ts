import { startTracing } from '@ledger/service/tracing';

/**
 * Imported first by main.ts: tracing has to start before http, pg and
 * ioredis are loaded, for its instrumentations to patch them. Nothing is
 * loaded when TRACING_ENABLED is not `true`. A bad tracing variable leaves
 * tracing off here; the configuration check in main() then reports it with
 * every other problem.
 */
export const tracing = (() => {
  try {
    return startTracing(process.env, 'ledger-worker');
  } catch {
    return undefined;
  }
})();
