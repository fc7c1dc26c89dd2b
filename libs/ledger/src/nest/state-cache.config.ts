import { readInt, type Env } from '@ledger/config';
import { STATE_CACHE_DEFAULTS, type StateCacheOptions } from '../command-path/state-cache';

/**
 * The wallet state cache's limits from the environment:
 *
 *   LEDGER_STATE_CACHE_ENTRIES      most wallets cached (default 100,000)
 *   LEDGER_STATE_CACHE_COMMAND_IDS  most command ids remembered across them (default 2,000,000)
 *
 * docs/performance.md explains the defaults and what each costs in memory.
 */
export function readStateCacheOptions(env: Env): StateCacheOptions {
  return {
    maxStreams: readInt(env, 'LEDGER_STATE_CACHE_ENTRIES', STATE_CACHE_DEFAULTS.maxStreams, {
      min: 1,
      max: 100_000_000,
    }),
    maxCommandIds: readInt(
      env,
      'LEDGER_STATE_CACHE_COMMAND_IDS',
      STATE_CACHE_DEFAULTS.maxCommandIds,
      { min: 0, max: 1_000_000_000 },
    ),
  };
}
