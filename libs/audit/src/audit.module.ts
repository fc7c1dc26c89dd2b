import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AUDIT_CONFIG, readAuditConfig } from './audit.config';

/**
 * The validated audit configuration (the checkpoint signing key) for the API
 * and the worker, read from `env` at start: production without the key stops
 * here. Global, so the worker's checkpointer finds it whichever root imports it.
 */
@Global()
@Module({})
export class AuditModule {
  static forRoot(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return {
      module: AuditModule,
      providers: [{ provide: AUDIT_CONFIG, useValue: readAuditConfig(env) }],
      exports: [AUDIT_CONFIG],
    };
  }
}
