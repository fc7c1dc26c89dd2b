import {
  Global,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  Inject,
} from '@nestjs/common';
import { APP_CONFIG } from '@ledger/config';
import { SQL_DATABASE } from '@ledger/database';
import { EVENT_STORE } from '@ledger/event-store';
import type { Runtime } from '@ledger/runtime';

export const RUNTIME = Symbol('RUNTIME');

/**
 * Makes the process's runtime (configuration, SQL database, event store)
 * injectable everywhere. The runtime is opened before Nest starts, so a bad
 * configuration or an unreachable database stops the process with a clear
 * message instead of a half-started application.
 */
@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: APP_CONFIG, useValue: runtime.config },
        { provide: SQL_DATABASE, useValue: runtime.db },
        { provide: EVENT_STORE, useValue: runtime.store },
      ],
      exports: [RUNTIME, APP_CONFIG, SQL_DATABASE, EVENT_STORE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
