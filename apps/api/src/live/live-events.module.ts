import { Module } from '@nestjs/common';
import { LiveEventsController } from './live-events.controller';
import { LiveEvents } from './live-events.service';

/**
 * Live updates over Server-Sent Events: `GET /me/events` for a customer's
 * wallets, `GET /ledger/events/live` for staff. Reads the read models only.
 */
@Module({ controllers: [LiveEventsController], providers: [LiveEvents] })
export class LiveEventsModule {}
