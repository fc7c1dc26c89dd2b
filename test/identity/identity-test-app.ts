import { must } from '@ledger/invariant';
import { Controller, Get, Global, Module, Post, type INestApplication } from '@nestjs/common';
import { CommandHandler, CqrsModule, type ICommandHandler } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from '@ledger/config';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE } from '@ledger/event-store';
import { SqlEventStore } from '@ledger/event-store/sql';
import {
  IdentityModule,
  PasswordService,
  RequireTwoFactor,
  Roles,
  CurrentPrincipal,
  grantRoles,
  isRejected,
  type Principal,
  type Clock,
  type Role,
} from '@ledger/identity';
import { OpenWalletCommand, type OpenWalletResult } from '@ledger/ledger';
import {
  NOTIFIER,
  NotificationDeliveryError,
  codeInMessage,
  type Delivery,
  type EmailMessage,
  type Notifier,
  type SmsMessage,
} from '@ledger/notifications';
import request from 'supertest';
import type { DatabaseFactory, TestDatabase } from '@ledger/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureHttp, httpAdapter, startServing } from '../../apps/api/src/app.factory';

/** Every OpenWalletCommand the stub handler received, in order. */
export const openedWallets: OpenWalletCommand['input'][] = [];
/** While on, the stub fails every command, as a ledger outage would. */
export const ledgerOutage = { on: false };

/** Stands in for the ledger's handler so tests see exactly what sign-up asked for. */
@CommandHandler(OpenWalletCommand)
class RecordingOpenWalletHandler implements ICommandHandler<OpenWalletCommand, OpenWalletResult> {
  async execute({ input }: OpenWalletCommand): Promise<OpenWalletResult> {
    openedWallets.push(input);
    if (ledgerOutage.on) throw new Error('ledger unavailable');
    return { walletId: input.commandId, currency: input.currency };
  }
}

/** Routes owned by other teams, reduced to what the identity tests need to exercise. */
@Controller('probe')
class ProbeController {
  @Get()
  whoAmI(@CurrentPrincipal() caller: Principal): Principal {
    return caller;
  }

  @Get('finance')
  @Roles('finance')
  finance(): { ok: true } {
    return { ok: true };
  }

  @Post('withdraw')
  @RequireTwoFactor()
  withdraw(): { ok: true } {
    return { ok: true };
  }
}

/** A clock the tests move by hand, so TOTP steps are chosen, not raced. */
export class ManualClock implements Clock {
  constructor(public epochMs = Date.UTC(2030, 0, 1)) {}
  now(): number {
    return this.epochMs;
  }
  advanceSeconds(seconds: number): void {
    this.epochMs += seconds * 1000;
  }
}

/** Keeps every e-mail instead of sending it: the tests read verification and reset codes here. */
export class CapturingNotifier implements Notifier {
  readonly emails: EmailMessage[] = [];
  /** While on, every e-mail fails as an SMTP outage would. */
  outage = false;

  async sendEmail(message: EmailMessage): Promise<Delivery> {
    if (this.outage) throw new NotificationDeliveryError('email', true, 'SMTP unavailable');
    this.emails.push(message);
    return { channel: 'email', messageId: `<${this.emails.length}@test>` };
  }

  async sendSms(message: SmsMessage): Promise<Delivery> {
    return { channel: 'sms', messageId: message.idempotencyKey };
  }

  /** The code in the newest e-mail to this address with this subject, if any. */
  lastCode(to: string, subject: RegExp): string | undefined {
    const message = [...this.emails].reverse().find((m) => m.to === to && subject.test(m.subject));
    return message && codeInMessage(message.text);
  }
}

export interface IdentityTestApp {
  readonly app: INestApplication;
  readonly db: SqlDatabase;
  readonly store: SqlEventStore;
  readonly clock: ManualClock;
  /** The service's environment; the two secrets are always set. */
  readonly env: Readonly<Record<string, string>> & {
    readonly LEDGER_JWT_SECRET: string;
    readonly LEDGER_IDENTITY_DATA_KEY: string;
  };
  readonly mail: CapturingNotifier;
  close(): Promise<void>;
}

/** A browser origin the test app allows, for checking CORS headers. */
export const ALLOWED_ORIGIN = 'https://app.example.com';

/** The identity module on a real database and event store, behind the API's real HTTP setup. */
export async function startIdentityApp(
  factory: DatabaseFactory,
  extraEnv: Record<string, string> = {},
): Promise<IdentityTestApp> {
  const database: TestDatabase = await factory.create();
  const store = new SqlEventStore(database.db);
  const clock = new ManualClock();
  const mail = new CapturingNotifier();
  const env = {
    LEDGER_DATA_DIR: mkdtempSync(join(tmpdir(), 'identity-')),
    LEDGER_JWT_SECRET: randomBytes(48).toString('base64'),
    LEDGER_IDENTITY_DATA_KEY: randomBytes(32).toString('base64'),
    LEDGER_AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    ...extraEnv,
  };

  @Global()
  @Module({
    providers: [
      { provide: SQL_DATABASE, useValue: database.db },
      { provide: EVENT_STORE, useValue: store },
      { provide: NOTIFIER, useValue: mail },
    ],
    exports: [SQL_DATABASE, EVENT_STORE, NOTIFIER],
  })
  class TestInfrastructure {}

  const moduleRef = await Test.createTestingModule({
    imports: [TestInfrastructure, CqrsModule.forRoot(), IdentityModule.forRoot({ env, clock })],
    controllers: [ProbeController],
    providers: [RecordingOpenWalletHandler],
  }).compile();
  const config = loadAppConfig({ CORS_ORIGINS: ALLOWED_ORIGIN });
  const app = moduleRef.createNestApplication<NestFastifyApplication>(httpAdapter(config), {
    bodyParser: false,
    logger: false,
  });
  configureHttp(app, config);
  await startServing(app);
  return {
    app,
    db: database.db,
    store,
    clock,
    env,
    mail,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

export async function count(db: SqlDatabase, table: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(must(rows[0], 'count row').n);
}

/** Asks for a verification code as the signed-in user and types it back. */
export async function verifyEmail(t: IdentityTestApp, auth: string, email: string): Promise<void> {
  const http = () => request(t.app.getHttpServer());
  await http().post('/me/email/verification').set('Authorization', auth).expect(204);
  const code = t.mail.lastCode(email, /verification/);
  await http().post('/me/email/verify').set('Authorization', auth).send({ code }).expect(204);
}

/** The code of the newest reset e-mail to this address, once the reset has been sent. */
export async function resetCode(t: IdentityTestApp, email: string): Promise<string | undefined> {
  await t.app.get(PasswordService).settled();
  return t.mail.lastCode(email, /password reset/);
}

/**
 * A new verified user given `roles` the way the operator does it (the
 * function behind `npm run admin:grant`), then logged in.
 */
export async function staffSession(
  t: IdentityTestApp,
  email: string,
  password: string,
  roles: Role[],
): Promise<{ userId: string; accessToken: string }> {
  const http = () => request(t.app.getHttpServer());
  const signUp = await http().post('/auth/signup').send({ email, password }).expect(201);
  await verifyEmail(t, `Bearer ${signUp.body.accessToken}`, email);
  const granted = await grantRoles(
    { db: t.db, store: t.store, dataKey: Buffer.from(t.env.LEDGER_IDENTITY_DATA_KEY, 'base64') },
    email,
    roles,
  );
  if (isRejected(granted)) throw new Error(`Grant refused: ${granted.rejected}`);
  return (await http().post('/auth/login').send({ email, password }).expect(200)).body;
}
