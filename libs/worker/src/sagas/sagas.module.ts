import {
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import type { EventStore } from '@ledger/event-store';
import { ContactsModule } from '@ledger/identity';
import { JOB_QUEUE, type JobQueue } from '@ledger/jobs';
import {
  LedgerModule,
  MovementStreams,
  MovementStreamsModule,
  WalletCommands,
} from '@ledger/ledger/nest';
import { LogReadsModule, WORKER_LOG } from '../log/log-reads.module';
import { MovementNotifications } from '../notifications/movement-notifications';
import { MovementNotificationsModule } from '../notifications/notifications.module';
import { JobQueueSagaJobs } from './job-queue.saga-jobs';
import { SagaDriver } from './saga.driver';
import { PAYOUT_CHECK_AFTER, SagaJobRunner } from './saga-jobs.runner';
import { readSagaDriverConfig } from './sagas.config';

/**
 * Runs the money-movement sagas in the worker: the job runner (provider calls,
 * timers) and the driver. The provider's reports are recorded by the process
 * that owns the gateway (`GatewayEventFeed` in `MovementStreamsModule`) or by
 * the API's webhook route.
 */
@Injectable()
export class SagaWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly driver: SagaDriver;
  private readonly jobs: JobQueueSagaJobs;

  constructor(
    @Inject(SQL_DATABASE) db: SqlDatabase,
    @Inject(WORKER_LOG) store: EventStore,
    @Inject(JOB_QUEUE) queue: JobQueue,
    streams: MovementStreams,
    wallets: WalletCommands,
    private readonly runner: SagaJobRunner,
    notifications: MovementNotifications,
  ) {
    this.jobs = new JobQueueSagaJobs(queue);
    this.driver = new SagaDriver(db, store, streams, wallets, this.jobs, {
      ...readSagaDriverConfig(process.env),
      onTerminal: (ended) => notifications.roundEnded(ended),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.start(this.runner);
    this.driver.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.driver.stop();
  }
}

/**
 * Needs from global modules: SQL_DATABASE, EVENT_STORE, JOB_QUEUE
 * (JobsModule.forRoot()), PAYMENT_GATEWAY and MOBILE_MONEY_GATEWAY (PaymentsModule.forRoot()) and
 * NOTIFIER (NotificationsModule.forRoot()).
 */
@Module({
  // Contacts: a mobile-money payout goes to the owner's phone, read when it is paid.
  imports: [
    LedgerModule,
    LogReadsModule,
    MovementStreamsModule,
    MovementNotificationsModule,
    ContactsModule.forRoot(),
  ],
  providers: [
    SagaJobRunner,
    SagaWorker,
    {
      provide: PAYOUT_CHECK_AFTER,
      useFactory: () => readSagaDriverConfig(process.env).payoutCheckAfterMs,
    },
  ],
  exports: [SagaWorker],
})
export class SagasModule {}
