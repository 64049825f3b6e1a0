import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppConfig, configuredRegions } from '@rdpfix/config';
import { ApiMetrics, routeSdkNodeVersionWarning } from '@rdpfix/observability';
import { callbackUrlPolicy, validateCallbackUrl } from '@rdpfix/webhooks';
import { CallbackUrlPolicyHolder } from './common/callback-url.validator';
import { ServedRegions } from './common/served-region.validator';
import { ApiModule } from './api.module';
import { exceptStreamedUpload } from './campaigns/streamed-upload';
import { jsonBodyMiddleware } from './common/body/json-body.middleware';
import { answerMalformedHttpInOneShape } from './common/errors/malformed-http';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { RequestDrain } from './ops/request-drain';
import { queueBoardMiddleware } from './queue-board/queue-board.middleware';
import { QUEUE_BOARD_PATH } from './queue-board/queue-board.service';
import { strictValidationPipe } from './common/validation.pipe';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { corsOptions } from './common/cors';

/** Builds the API application (used by main.ts, the demo and the tests). */
export async function createApiApp(config: AppConfig, opts: { shutdownHooks?: boolean } = {}): Promise<INestApplication> {
  // Callback URLs are checked against the configured policy when they are submitted (and again,
  // with DNS resolution, when a webhook is sent).
  const policy = callbackUrlPolicy(config);
  CallbackUrlPolicyHolder.check = (u) => {
    const r = validateCallbackUrl(u, policy);
    return r.ok ? null : `callbackUrl: ${r.reason}`;
  };
  ServedRegions.list = configuredRegions(config);
  // The AWS SDK's nine-line Node-version warning goes to the JSON log, once (not raw to stderr).
  routeSdkNodeVersionWarning((m) => new Logger('aws-sdk').warn(m));
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  // One structured logger (pino, LOG_LEVEL, secrets redacted) for Nest's own messages too.
  app.useLogger(app.get(PinoLogger));
  app.use(app.get(ApiMetrics).middleware());
  // Graceful shutdown: requests in flight are answered before the database closes (ops/request-drain.ts).
  const drain = app.get(RequestDrain);
  app.use(drain.middleware());
  drain.attach(app.getHttpServer());
  // Bull Board (admin only), before the JSON body pipeline: its own small bodies are its business.
  app.use(QUEUE_BOARD_PATH, queueBoardMiddleware(app));
  const cors = corsOptions(config.CORS_ORIGINS);
  if (cors) app.enableCors(cors);
  if (config.API_TRUST_PROXY) app.set('trust proxy', trustProxySetting(config.API_TRUST_PROXY));
  // Only JSON bodies, size-limited, parse errors as 4xx, then the shape check (depth, nulls, __proto__).
  // POST /v1/campaigns streams its own (much larger, JSON or multipart) body and checks it itself.
  for (const mw of jsonBodyMiddleware(config.API_BODY_LIMIT)) app.use(exceptStreamedUpload(mw));
  app.useGlobalPipes(strictValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  app.disable('x-powered-by');
  // No ETag hashing of every JSON answer: clients poll by id and cursor, not with If-None-Match.
  app.set('etag', false);
  // The demo (API and worker in one process) closes both itself, once: shutdownHooks false.
  if (opts.shutdownHooks !== false) app.enableShutdownHooks();
  answerMalformedHttpInOneShape(app.getHttpServer());

  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}

/** API_TRUST_PROXY as Express wants it: a hop count, true, or a list of addresses/subnets. */
function trustProxySetting(raw: string): boolean | number | string {
  if (/^\d+$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}

export async function listen(app: INestApplication, config: AppConfig): Promise<string> {
  await app.listen(config.API_PORT, config.API_HOST);
  const url = await app.getUrl();
  new Logger('api').log(`listening on ${url} (docs at ${url}/docs)`);
  return url.replace('[::1]', '127.0.0.1');
}
