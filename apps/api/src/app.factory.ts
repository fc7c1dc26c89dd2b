import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { SwaggerModule } from '@nestjs/swagger';
import { setting, type AppConfig } from '@ledger/config';
import type { Clock } from '@ledger/identity';
import {
  chooseRequestId,
  createRootLogger,
  registerHttpMetrics,
  LedgerMetrics,
  LoggingModule,
  MetricsModule,
  readObservabilityConfig,
  registerAccessLog,
} from '@ledger/observability';
import type { Runtime } from '@ledger/runtime';
import { ApiModule } from './api.module';
import { registerJsonBodyParser } from './http/body-parsers';
import { buildOpenApiDocument } from './http/openapi';
import { answerFrameworkError, ProblemFilter } from './http/problem.filter';
import { RequestDeadlineInterceptor } from './http/request-deadline.interceptor';
import { validationPipe } from './http/validation';
import { defaultWebDir, serveWebApp } from './web/web-app';
import { loadsStripeJs, readCardForm, STRIPE_JS_CSP } from './top-ups/card-form';
import { SERVICE_QUEUES } from '@ledger/service';
import { readTracingConfig } from '@ledger/service/tracing';
import { nameServerSpansByRoute } from './http/route-tracing';

export interface CreateAppOptions {
  /** `false` silences the logs (tests), unless `logDestination` asks for them; LOG_LEVEL sets the rest. */
  readonly logger?: false;
  /** Where JSON log lines go instead of stdout; tests read them from here. */
  readonly logDestination?: DestinationStream;
  readonly env?: NodeJS.ProcessEnv;
  readonly clock?: Clock;
}

/**
 * Builds the HTTP application on an opened runtime; used by main.ts and by
 * end-to-end tests. Fastify takes requests once it is ready: `listen` makes
 * it so; a test that drives the server itself calls `startServing`.
 */
export async function createApp(
  runtime: Runtime,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const observability = readObservabilityConfig(options.env ?? process.env);
  const silent = options.logger === false && !options.logDestination;
  const logger = createRootLogger(observability, {
    destination: options.logDestination,
    level: silent ? 'silent' : undefined,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    {
      module: ApiRootModule,
      imports: [
        LoggingModule.forRoot(logger),
        MetricsModule.forRoot(observability, SERVICE_QUEUES),
        ApiModule.forRuntime(runtime, { env: options.env, clock: options.clock }),
      ],
    },
    httpAdapter(runtime.config),
    { bodyParser: false, bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  // Nest flushes what it buffered at listen() only: an app that is only
  // initialised (tests, a failed listen) would otherwise keep its lines.
  app.flushLogs();
  const env = options.env ?? process.env;
  const fastify = app.getHttpAdapter().getInstance();
  if (readTracingConfig(env, 'ledger-api').enabled) nameServerSpansByRoute(fastify);
  // The first of the request hooks, so that a request refused by body parsing
  // or helmet still gets its request id, its access line and its latency.
  registerAccessLog(fastify, logger);
  registerHttpMetrics(fastify, app.get(LedgerMetrics));
  const apiPaths = configureHttp(app, runtime.config, {
    stripeJs: loadsStripeJs(readCardForm(env)),
  });
  serveWebApp(app, webDir(env), apiPaths);
  return app;
}

/** The API with its logging and metrics around it. */
@Module({})
class ApiRootModule {}

/**
 * The API's HTTP server: Fastify, behind `HTTP_TRUST_PROXY` when set (the
 * same hop count, address list or `loopback`-style names as before), with
 * the request id chosen as the access log's and the routing Express had:
 * a trailing slash does not change the route, and a route parameter may be
 * as long as the body limit allows a path to be (the router's default stops
 * at 100 characters and answers 404).
 */
export function httpAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    trustProxy: config.trustProxy === false ? false : config.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    genReqId: chooseRequestId,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 8192 },
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) =>
      answerFrameworkError(error, reply),
    // Nest answers its own errors and the access log is the API's own; Fastify's logger stays off.
    logger: false,
    return503OnClosing: false,
  });
}

/** Configures the API's HTTP layer and documents it; returns the documented paths. */
export function configureHttp(
  app: NestFastifyApplication,
  config: AppConfig,
  options: { stripeJs?: boolean } = {},
): string[] {
  // helmet's default policy (scripts from this origin only), plus Stripe.js
  // when the web app is to mount Stripe Elements (docs/web.md).
  void app.register(
    fastifyHelmet,
    options.stripeJs ? { contentSecurityPolicy: { directives: { ...STRIPE_JS_CSP } } } : {},
  );
  // Browsers hide response headers from scripts unless exposed: a client must read Retry-After to back off.
  app.enableCors({
    origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
    exposedHeaders: ['Retry-After'],
    // As before: a preflight without Origin or Access-Control-Request-Method is answered, not refused.
    strictPreflight: false,
  });
  registerJsonBodyParser(app.getHttpAdapter().getInstance(), config.bodyLimitBytes);
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalInterceptors(new RequestDeadlineInterceptor(config.httpRequestTimeoutMs));
  app.enableShutdownHooks();
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  return Object.keys(document.paths);
}

/** `LEDGER_WEB_DIR` points at another build of the web app (tests); dist/web otherwise. */
function webDir(env: NodeJS.ProcessEnv): string {
  return setting(env, 'LEDGER_WEB_DIR') ?? defaultWebDir();
}

/** Initialises the application and makes Fastify ready for requests, without listening. */
export async function startServing(app: NestFastifyApplication): Promise<void> {
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
}
