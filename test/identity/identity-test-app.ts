import { Controller, Get, Global, Module, Post, type INestApplication } from '@nestjs/common';
import { CommandHandler, CqrsModule, type ICommandHandler } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from '@ledger/config';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE, SqlEventStore } from '@ledger/event-store';
import {
  IdentityModule,
  RequireTwoFactor,
  Roles,
  CurrentPrincipal,
  type Principal,
  type Clock,
} from '@ledger/identity';
import { OpenWalletCommand, type OpenWalletResult } from '@ledger/ledger';
import type { DatabaseFactory, TestDatabase } from '@ledger/testing';
import { configureHttp } from '../../apps/api/src/app.factory';

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

export interface IdentityTestApp {
  readonly app: INestApplication;
  readonly db: SqlDatabase;
  readonly store: SqlEventStore;
  readonly clock: ManualClock;
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export const ADMIN_EMAIL = 'root@example.com';

/** The identity module on a real database and event store, behind the API's real HTTP setup. */
export async function startIdentityApp(
  factory: DatabaseFactory,
  extraEnv: Record<string, string> = {},
): Promise<IdentityTestApp> {
  const database: TestDatabase = await factory.create();
  const store = new SqlEventStore(database.db);
  const clock = new ManualClock();
  const env = {
    LEDGER_DATA_DIR: mkdtempSync(join(tmpdir(), 'identity-')),
    LEDGER_JWT_SECRET: randomBytes(48).toString('base64'),
    LEDGER_IDENTITY_DATA_KEY: randomBytes(32).toString('base64'),
    LEDGER_ADMIN_EMAILS: ADMIN_EMAIL,
    LEDGER_AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    ...extraEnv,
  };

  @Global()
  @Module({
    providers: [
      { provide: SQL_DATABASE, useValue: database.db },
      { provide: EVENT_STORE, useValue: store },
    ],
    exports: [SQL_DATABASE, EVENT_STORE],
  })
  class TestInfrastructure {}

  const moduleRef = await Test.createTestingModule({
    imports: [TestInfrastructure, CqrsModule.forRoot(), IdentityModule.forRoot({ env, clock })],
    controllers: [ProbeController],
    providers: [RecordingOpenWalletHandler],
  }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
  configureHttp(app, loadAppConfig({}));
  await app.init();
  return {
    app,
    db: database.db,
    store,
    clock,
    env,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

export async function count(db: SqlDatabase, table: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0].n);
}
