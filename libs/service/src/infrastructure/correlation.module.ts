import { Global, Module } from '@nestjs/common';
import { CURRENT_CORRELATION } from '@ledger/ledger/nest';
import { logCorrelation } from '@ledger/observability';

/** The log context's correlation id for the saga write side (see CURRENT_CORRELATION). */
@Global()
@Module({
  providers: [{ provide: CURRENT_CORRELATION, useValue: logCorrelation }],
  exports: [CURRENT_CORRELATION],
})
export class CorrelationModule {}
