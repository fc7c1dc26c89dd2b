import {
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { JOB_QUEUE, type JobQueue } from '@ledger/jobs';
import {
  GatewayEventRecorder,
  LedgerModule,
  MovementStreams,
  MovementStreamsModule,
  WalletCommands,
} from '@ledger/ledger';
import { PAYMENT_GATEWAY, type PaymentGateway } from '@ledger/payments';
import { MovementNotifications } from '../notifications/movement-notifications';
import { MovementNotificationsModule } from '../notifications/notifications.module';
import { JobQueueSagaJobs } from './job-queue.saga-jobs';
import { SagaDriver } from './saga.driver';
import { SagaJobRunner } from './saga-jobs.runner';
import { readSagaDriverConfig } from './sagas.config';

/**
 * Runs the money-movement sagas in the worker: the job runner (provider calls,
 * timers), the sandbox's event feed (Stripe reports arrive through the API's
 * webhook instead; its adapter never emits here), and the driver.
 */
@Injectable()
export class SagaWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly driver: SagaDriver;
  private readonly jobs: JobQueueSagaJobs;
  private unsubscribe?: () => void;

  constructor(
    @Inject(SQL_DATABASE) db: SqlDatabase,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(JOB_QUEUE) queue: JobQueue,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    streams: MovementStreams,
    wallets: WalletCommands,
    private readonly runner: SagaJobRunner,
    private readonly recorder: GatewayEventRecorder,
    notifications: MovementNotifications,
  ) {
    this.jobs = new JobQueueSagaJobs(queue);
    this.driver = new SagaDriver(db, store, streams, wallets, this.jobs, {
      ...readSagaDriverConfig(process.env),
      onTerminal: (saga) => notifications.movementEnded(saga),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.start(this.runner);
    // A handler that throws gets the event again: the record must be durable before it resolves.
    this.unsubscribe = this.gateway.onEvent(
      async (event) => void (await this.recorder.record(event)),
    );
    this.driver.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.driver.stop();
  }
}

/**
 * Needs from global modules: SQL_DATABASE, EVENT_STORE, JOB_QUEUE
 * (JobsModule.forRoot()), PAYMENT_GATEWAY (PaymentsModule.forRoot()) and
 * NOTIFIER (NotificationsModule.forRoot()).
 */
@Module({
  imports: [LedgerModule, MovementStreamsModule, MovementNotificationsModule],
  providers: [SagaJobRunner, SagaWorker],
  exports: [SagaWorker],
})
export class SagasModule {}
