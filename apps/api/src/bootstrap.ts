import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppConfig } from '@rdpfix/config';
import { ApiMetrics } from '@rdpfix/observability';
import { callbackUrlPolicy, validateCallbackUrl } from '@rdpfix/webhooks';
import { CallbackUrlPolicyHolder } from './common/callback-url.validator';
import { ApiModule } from './api.module';
import { globalJsonBodyType } from './campaigns/streamed-upload';
import { forbiddenKeysMiddleware } from './common/forbidden-keys.middleware';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { strictValidationPipe } from './common/validation.pipe';

/** Builds the API application (used by main.ts, the demo and the tests). */
export async function createApiApp(config: AppConfig): Promise<INestApplication> {
  // Callback URLs are checked against the configured policy when they are submitted (and again,
  // with DNS resolution, when a webhook is sent).
  const policy = callbackUrlPolicy(config);
  CallbackUrlPolicyHolder.check = (u) => {
    const r = validateCallbackUrl(u, policy);
    return r.ok ? null : `callbackUrl: ${r.reason}`;
  };
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  // One structured logger (pino, LOG_LEVEL, secrets redacted) for Nest's own messages too.
  app.useLogger(app.get(PinoLogger));
  app.use(app.get(ApiMetrics).middleware());
  // POST /v1/campaigns streams its own (much larger) body; every other route keeps API_BODY_LIMIT.
  app.useBodyParser('json', { limit: config.API_BODY_LIMIT, strict: true, type: globalJsonBodyType });
  app.use(forbiddenKeysMiddleware);
  app.useGlobalPipes(strictValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  app.disable('x-powered-by');
  // No ETag hashing of every JSON answer: clients poll by id and cursor, not with If-None-Match.
  app.set('etag', false);
  app.enableShutdownHooks();

  const doc = new DocumentBuilder()
    .setTitle('rdpfix')
    .setDescription('Repairs Windows servers that refuse RDP with "no Remote Desktop license servers available" through the guest-agent command channel.')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An rdpfix API key (rdpfix_<prefix>_<secret>). Roles: admin, support, console (one tenant), fleet.' })
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: 'docs-json' });
  return app;
}

export async function listen(app: INestApplication, config: AppConfig): Promise<string> {
  await app.listen(config.API_PORT, config.API_HOST);
  const url = await app.getUrl();
  new Logger('api').log(`listening on ${url} (docs at ${url}/docs)`);
  return url.replace('[::1]', '127.0.0.1');
}
