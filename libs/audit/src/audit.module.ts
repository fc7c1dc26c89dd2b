import { Global, Module } from '@nestjs/common';
import { AUDIT_CONFIG, readAuditConfig } from './audit.config';

/**
 * The validated audit configuration (the checkpoint signing key) for the API
 * and the worker. Read at start: production without the key stops here.
 */
@Global()
@Module({
  providers: [{ provide: AUDIT_CONFIG, useFactory: () => readAuditConfig(process.env) }],
  exports: [AUDIT_CONFIG],
})
export class AuditModule {}
