import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  MOBILE_MONEY_GATEWAY,
  PAYMENT_GATEWAY,
  type GatewayEvent,
  type PaymentGateway,
} from '@ledger/payments';
import { deriveId } from '../../ids';
import { parseSagaStreamId } from '../saga';
import { MovementStreams } from './movement-streams.service';

/** The metadata key that ties a provider object (payment intent, payout, refund) to its saga stream. */
export const SAGA_METADATA_KEY = 'saga';

export type RecordedReport = 'recorded' | 'duplicate' | 'ignored';

/**
 * Records a payment provider's report on the saga it belongs to, before
 * anything acts on it. Used by the webhook route (Stripe) and by every
 * process's subscription to its own gateway (`GatewayEventFeed`). The
 * command id derives from the provider's event id, so a redelivered webhook
 * is recognised twice over: by the command path and by the saga, which keeps
 * the event ids it has seen.
 */
@Injectable()
export class GatewayEventRecorder {
  constructor(private readonly streams: MovementStreams) {}

  async record(event: GatewayEvent): Promise<RecordedReport> {
    const movementId = event.metadata[SAGA_METADATA_KEY];
    const saga = movementId ? parseSagaStreamId(movementId) : undefined;
    const command = saga && this.commandFor(movementId!, saga.kind, event);
    if (!command) return 'ignored';
    const outcome = await this.streams.record(movementId!, command, {
      correlationId: movementId,
      causationId: event.providerEventId,
    });
    if (!outcome.ok) {
      // A report for a saga this ledger never started (another environment's metadata) is not ours to keep.
      if (outcome.rejection === 'movement_not_started') return 'ignored';
      throw new Error(
        `Could not record ${event.type} ${event.providerEventId} on ${movementId}: ${outcome.rejection}`,
      );
    }
    return outcome.duplicate || outcome.events.length === 0 ? 'duplicate' : 'recorded';
  }

  private commandFor(movementId: string, kind: string, event: GatewayEvent) {
    const commandId = deriveId(movementId, 'provider', event.providerEventId);
    const at = event.occurredAt.toISOString();
    const { providerEventId, objectId } = event;
    if (
      kind === 'topup' &&
      (event.type === 'payment_succeeded' || event.type === 'payment_failed')
    ) {
      const result =
        event.type === 'payment_succeeded'
          ? { ok: true as const, amountMinor: event.amountMinor, currency: event.currency }
          : { ok: false as const, reason: event.failureCode ?? 'payment_failed' };
      return {
        type: 'RecordPayment',
        commandId,
        providerEventId,
        paymentIntentId: objectId,
        result,
        at,
      };
    }
    if (kind === 'withdrawal' && (event.type === 'payout_paid' || event.type === 'payout_failed')) {
      const result =
        event.type === 'payout_paid'
          ? { ok: true as const }
          : { ok: false as const, reason: event.failureCode ?? 'payout_failed' };
      return {
        type: 'RecordPayoutReport',
        commandId,
        providerEventId,
        payoutId: objectId,
        result,
        at,
      };
    }
    // Refund reports and disputes are for reconciliation; sagas act on the refund call's answer.
    return undefined;
  }
}

/**
 * Records what the process's own gateway reports in process (the sandbox's
 * `onEvent`; Stripe reports through the webhook route instead). Provided once
 * per process by `MovementStreamsModule`, so every process that owns a
 * gateway records the outcomes of the calls it made itself: the API those of
 * the payment intents it creates, the worker those of its payouts and
 * refunds. An outcome never waits for a subscriber that only another process
 * has. The handler resolves once the report is on the saga stream, so a
 * failed record is redelivered rather than lost.
 */
@Injectable()
export class GatewayEventFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private unsubscribes: Array<() => void> = [];

  constructor(
    private readonly recorder: GatewayEventRecorder,
    @Optional() @Inject(PAYMENT_GATEWAY) private readonly gateway?: PaymentGateway,
    @Optional()
    @Inject(MOBILE_MONEY_GATEWAY)
    private readonly mobileMoney?: PaymentGateway | null,
  ) {}

  /** Both rails: a sandbox playing M-Pesa reports in process too. */
  onApplicationBootstrap(): void {
    for (const gateway of [this.gateway, this.mobileMoney]) {
      if (!gateway) continue;
      this.unsubscribes.push(
        gateway.onEvent(async (event) => {
          await this.recorder.record(event);
        }),
      );
    }
  }

  onApplicationShutdown(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes = [];
  }
}
