import { Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ContactDirectory, ContactsModule } from '@ledger/identity';
import { JOB_QUEUE, type JobQueue } from '@ledger/jobs';
import { MovementStreams } from '@ledger/ledger/nest';
import { NOTIFIER, type Notifier } from '@ledger/notifications';
import { MovementNotifications } from './movement-notifications';

/** Runs the notification jobs in this process once the application is up. */
@Injectable()
export class MovementNotificationsWorker implements OnApplicationBootstrap {
  constructor(private readonly notifications: MovementNotifications) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.notifications.start();
  }
}

/**
 * The worker's movement notifications: `MovementNotifications` (the saga
 * driver enqueues through it) and the runner of its jobs. Needs from global
 * modules: SQL_DATABASE, EVENT_STORE, JOB_QUEUE (JobsModule.forRoot()) and
 * NOTIFIER (NotificationsModule.forRoot()). Contact details come from
 * identity's `ContactsModule`, which uses IdentityModule's data key when the
 * API runs in the same process, and LEDGER_IDENTITY_DATA_KEY otherwise.
 */
@Module({
  imports: [ContactsModule.forRoot()],
  providers: [
    {
      provide: MovementNotifications,
      useFactory: (
        queue: JobQueue,
        store: EventStore,
        contacts: ContactDirectory,
        notifier: Notifier,
      ) =>
        // Its own read path: notifications only replay saga streams, never record on them.
        new MovementNotifications(queue, new MovementStreams(store), contacts, notifier),
      inject: [JOB_QUEUE, EVENT_STORE, ContactDirectory, NOTIFIER],
    },
    MovementNotificationsWorker,
  ],
  exports: [MovementNotifications],
})
export class MovementNotificationsModule {}
