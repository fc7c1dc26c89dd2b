import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LedgerModule } from '@ledger/ledger/nest';
import { FINANCE_CONFIG, readFinanceConfig } from '../finance.config';
import { FinanceAdjustments } from './finance-adjustments.service';
import { FINANCE_HANDLERS, FinanceReconciliation } from './finance.handlers';

/**
 * Finance's commands and queries on the buses, with its configuration read
 * from `env` at start. Needs SQL_DATABASE and EVENT_STORE (infrastructure),
 * the payment gateways (PaymentsModule), SecurityAuditService
 * (IdentityModule), AUDIT_CONFIG (AuditModule) and a root
 * `CqrsModule.forRoot()`; posts through LedgerModule's wallet commands.
 */
@Module({})
export class FinanceModule {
  static forRoot(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return {
      module: FinanceModule,
      imports: [CqrsModule, LedgerModule],
      providers: [
        { provide: FINANCE_CONFIG, useValue: readFinanceConfig(env) },
        FinanceAdjustments,
        FinanceReconciliation,
        ...FINANCE_HANDLERS,
      ],
    };
  }
}
