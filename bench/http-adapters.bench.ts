import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  HttpCode,
  Injectable,
  Module,
  Post,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { map, type Observable } from 'rxjs';
import { CreateTransferDto } from '../apps/api/src/transfers/transfer.dto';
import { validationPipe } from '../apps/api/src/http/validation';
import { runTransferLoad } from './transfer-load';

/**
 * `npm run bench:http-adapters`: the HTTP stack alone, Express against
 * Fastify under Nest, on the transfer route's shape: `POST /transfers` with
 * the API's own DTO and validation pipe, a global guard reading the bearer
 * header and an interceptor mapping the answer (as the idempotency one
 * does), answering 201 with a small JSON body and touching no database.
 * Each adapter serves from a child process of its own, driven by the
 * transfers bench's load generator; the figure that matters is the server's
 * CPU per request (process.cpuUsage), since the machine is shared.
 *
 *   BENCH_SECONDS (5), BENCH_CONNECTIONS (32), BENCH_PORT (3957)
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PORT = Number(process.env.BENCH_PORT ?? 3957);
type AdapterName = 'express' | 'fastify';

@Injectable()
class BearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    return typeof request.headers.authorization === 'string';
  }
}

@Injectable()
class AnswerInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((body: unknown) => ({ ...(body as object), replayed: false })));
  }
}

@Controller('transfers')
class TransfersController {
  @Post()
  @HttpCode(201)
  create(@Body() body: CreateTransferDto) {
    return { movementId: randomUUID(), status: 'completed', amountMinor: body.amountMinor };
  }
}

@Module({
  controllers: [TransfersController],
  providers: [
    { provide: APP_GUARD, useClass: BearerGuard },
    { provide: APP_INTERCEPTOR, useClass: AnswerInterceptor },
  ],
})
class BenchModule {}

async function serve(adapter: AdapterName, port: number): Promise<void> {
  const app = await NestFactory.create(
    BenchModule,
    adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
    { logger: false },
  );
  app.useGlobalPipes(validationPipe());
  await app.listen(port, '127.0.0.1');
  process.on('message', (message) => {
    if (message === 'cpu') process.send?.(process.cpuUsage());
  });
  process.send?.('ready');
}

function start(adapter: AdapterName, port: number): Promise<ChildProcess> {
  const child = fork(__filename, ['serve', adapter, String(port)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (message) =>
      message === 'ready' ? resolve(child) : reject(new Error(String(message))),
    );
    child.once('exit', (code) => reject(new Error(`${adapter} server exited ${code}`)));
  });
}

function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (usage) => {
      const { user, system } = usage as NodeJS.CpuUsage;
      resolve((user + system) / 1000);
    });
    child.send('cpu');
  });
}

async function measure(adapter: AdapterName, port: number) {
  const child = await start(adapter, port);
  try {
    const load = {
      baseUrl: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      wallets: [randomUUID(), randomUUID(), randomUUID()],
      currency: 'EUR',
      headers: { authorization: 'Bearer bench' },
    };
    await runTransferLoad({ ...load, seconds: 1 }); // warm-up
    const before = await cpuOf(child);
    const figures = await runTransferLoad({ ...load, seconds: SECONDS });
    const after = await cpuOf(child);
    return {
      adapter,
      connections: CONNECTIONS,
      requests_per_s: Math.round(figures.ok / SECONDS),
      non_2xx: figures.non_2xx,
      p50_ms: figures.p50_ms,
      p99_ms: figures.p99_ms,
      server_cpu_ms_per_request: Math.round(((after - before) / figures.ok) * 1000) / 1000,
    };
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const rows = [await measure('express', PORT), await measure('fastify', PORT + 1)];
  console.log(JSON.stringify(rows, null, 2));
  console.table(rows);
}

if (process.argv[2] === 'serve') {
  void serve(process.argv[3] as AdapterName, Number(process.argv[4]));
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
