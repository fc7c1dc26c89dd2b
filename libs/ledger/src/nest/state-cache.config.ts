import { setting, type Env } from '@ledger/config';
import type { StateCacheOptions } from '../command-path/state-cache';

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
    maxStreams: setting(env, 'LEDGER_STATE_CACHE_ENTRIES'),
    maxCommandIds: setting(env, 'LEDGER_STATE_CACHE_COMMAND_IDS'),
  };
}
