import { Controller, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@ledger/identity';
import { PAYMENT_GATEWAY, WebhookSignatureError, type PaymentGateway } from '@ledger/payments';
import type { RecordedReport } from '@ledger/ledger/nest';
import { RecordGatewayReportCommand } from '@ledger/movements';
import { RejectionException } from '../http/rejection';

/**
 * The payment provider's reports. Public (the provider has no token), so the
 * signature over the raw body is the only proof of origin: anything that
 * fails it is a 400 and nothing is sent on. A verified report is recorded on
 * its movement (`RecordGatewayReportCommand`) before the answer, so a 200
 * means it is durable; a redelivery is a 200 that changes nothing.
 */
@ApiExcludeController()
@Controller('webhooks')
export class StripeWebhookController {
  constructor(
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly commands: CommandBus,
  ) {}

  @Post('stripe')
  @Public()
  @HttpCode(200)
  async receive(
    @Req() request: { rawBody?: Buffer },
    @Headers('stripe-signature') signature?: string,
  ): Promise<{ received: RecordedReport }> {
    if (!request.rawBody || !signature) throw new RejectionException('webhook_signature_invalid');
    let event;
    try {
      // The signature check, over the bytes as they arrived: the provider's own proof of origin.
      event = this.gateway.parseWebhook(request.rawBody, signature);
    } catch (error) {
      if (error instanceof WebhookSignatureError)
        throw new RejectionException('webhook_signature_invalid');
      throw error;
    }
    if (!event) return { received: 'ignored' };
    return { received: await this.commands.execute(new RecordGatewayReportCommand(event)) };
  }
}
