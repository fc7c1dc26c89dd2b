import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { GatewayEvent } from '@ledger/payments';
import { GatewayEventRecorder, type RecordedReport } from '@ledger/ledger/nest';

/**
 * Records a payment provider's report (a verified webhook) on the movement
 * it belongs to, before anything acts on it: `recorded`, `duplicate` for a
 * redelivery, `ignored` for an object no movement of this ledger owns. The
 * sender has proven the report's origin first (the webhook's signature).
 */
export class RecordGatewayReportCommand extends Command<RecordedReport> {
  constructor(readonly event: GatewayEvent) {
    super();
  }
}

@CommandHandler(RecordGatewayReportCommand)
export class RecordGatewayReportHandler implements ICommandHandler<
  RecordGatewayReportCommand,
  RecordedReport
> {
  constructor(private readonly recorder: GatewayEventRecorder) {}

  execute({ event }: RecordGatewayReportCommand): Promise<RecordedReport> {
    return this.recorder.record(event);
  }
}
