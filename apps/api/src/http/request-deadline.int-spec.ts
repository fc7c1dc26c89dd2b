import {
  Body,
  Controller,
  Get,
  HttpCode,
  Logger,
  Module,
  Post,
  Req,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { httpAdapter, startServing } from '../app.factory';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { APP_CONFIG, loadAppConfig } from '@ledger/config';
import { SQL_DATABASE } from '@ledger/database';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import {
  Idempotent,
  IdempotencyInterceptor,
  type IdempotencyContext,
} from './idempotency.interceptor';
import { ProblemFilter } from './problem.filter';
import { RequestDeadlineInterceptor } from './request-deadline.interceptor';

const DEADLINE_MS = 300;

/** A handler that runs until the test lets it finish, or fails when told to. */
class Gate {
  private release!: (outcome: 'finish' | 'fail') => void;
  private promise = Promise.resolve<'finish' | 'fail'>('finish');
  hold(): void {
    this.promise = new Promise((resolve) => (this.release = resolve));
  }
  open(outcome: 'finish' | 'fail' = 'finish'): void {
    this.release(outcome);
    this.promise = Promise.resolve('finish');
  }
  async pass(): Promise<void> {
    if ((await this.promise) === 'fail') throw new Error('the handler failed late');
  }
}
const gate = new Gate();
let runs = 0;

@Controller('slow')
class SlowController {
  @Post()
  @HttpCode(202)
  @Idempotent()
  async start(@Body() body: { n: number }, @Req() req: { idempotency: IdempotencyContext }) {
    runs++;
    await gate.pass();
    return { id: req.idempotency.commandId, n: body.n };
  }

  @Get()
  async read() {
    await gate.pass();
    return { ok: true };
  }
}

describe.each(databaseFactories())('request deadline on $name', (factory) => {
  let database: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    database = await factory.create();
    const config = loadAppConfig({ HTTP_REQUEST_TIMEOUT_MS: String(DEADLINE_MS) });
    @Module({
      controllers: [SlowController],
      providers: [
        IdempotencyInterceptor,
        { provide: SQL_DATABASE, useValue: database.db },
        { provide: APP_CONFIG, useValue: config },
      ],
    })
    class TestModule {}
    const fastifyApp = await NestFactory.create<NestFastifyApplication>(
      TestModule,
      httpAdapter(config),
      { logger: false },
    );
    app = fastifyApp;
    fastifyApp.useGlobalFilters(new ProblemFilter());
    fastifyApp.useGlobalInterceptors(new RequestDeadlineInterceptor(config.httpRequestTimeoutMs));
    await startServing(fastifyApp);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });
  afterEach(() => jest.restoreAllMocks());

  const http = () => request(app.getHttpServer());
  const post = (key: string, n: number) =>
    http().post('/slow').set('Idempotency-Key', key).send({ n });

  /** The outcome is recorded a moment after the handler finishes; wait for it, boundedly. */
  async function recorded(key: string): Promise<number | null> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const { rows } = await database.db.query<{ status_code: number | null }>(
        'SELECT status_code FROM idempotency_keys WHERE key = $1',
        [key],
      );
      if (rows[0]?.status_code) return rows[0].status_code;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return null;
  }

  it('answers in time as usual', async () => {
    const key = randomUUID();
    const res = await post(key, 1).expect(202);
    expect(res.body).toEqual({ id: expect.any(String), n: 1 });
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it('answers 503 with Retry-After at the deadline, records the real outcome, and the retry replays it', async () => {
    const key = randomUUID();
    gate.hold();
    const late = await post(key, 7).expect(503);
    expect(late.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(late.body).toEqual({
      type: '/problems/request_deadline_exceeded',
      title: 'Request deadline exceeded',
      status: 503,
      code: 'request_deadline_exceeded',
      detail: expect.stringContaining(`${DEADLINE_MS} ms deadline`),
      statusCode: 503,
      error: 'request_deadline_exceeded',
      message: expect.stringContaining(`${DEADLINE_MS} ms deadline`),
    });
    expect(late.headers['retry-after']).toBe('1');

    const meanwhile = await post(key, 7).expect(409);
    expect(meanwhile.body.error).toBe('idempotency_key_in_progress');
    expect(Number(meanwhile.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    const runsBefore = runs;
    gate.open();
    expect(await recorded(key)).toBe(202);
    const retry = await post(key, 7).expect(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual({ id: expect.any(String), n: 7 });
    expect(runs).toBe(runsBefore);
  });

  it('bounds routes without an Idempotency-Key too, and logs a failure that comes after the 503', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    gate.hold();
    const late = await http().get('/slow').expect(503);
    expect(late.body.error).toBe('request_deadline_exceeded');
    gate.open('fail');
    for (let attempt = 0; attempt < 100 && errors.mock.calls.length === 0; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(String(errors.mock.calls[0]?.[0])).toContain('the handler failed late');
    await http().get('/slow').expect(200, { ok: true });
  });

  it('lets go of the key when the handler fails unexpectedly after the deadline', async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const key = randomUUID();
    gate.hold();
    await post(key, 3).expect(503);
    gate.open('fail');
    for (let attempt = 0; attempt < 100; attempt++) {
      const { rowCount } = await database.db.query(
        'SELECT 1 FROM idempotency_keys WHERE key = $1',
        [key],
      );
      if (rowCount === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const retry = await post(key, 3).expect(202);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.body.n).toBe(3);
  });
});
