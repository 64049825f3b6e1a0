import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppConfig } from '@rdpfix/config';
import { routeSdkNodeVersionWarning } from '@rdpfix/observability';
import { loadAllScripts } from '@rdpfix/runbook';
import { WorkerModule } from './worker.module';

/**
 * Builds the worker (used by main.ts, the demo and the tests) and opens its small HTTP port
 * (WORKER_HTTP_PORT: /health/live, /health/ready, /metrics). Its URL is `workerHttpUrl(app)`.
 */
export async function createWorkerApp(config: AppConfig, opts: { shutdownHooks?: boolean } = {}): Promise<INestApplication> {
  // Without its runbook scripts the worker could take jobs but never run a step: refuse to start.
  loadAllScripts();
  // The AWS SDK's nine-line Node-version warning goes to the JSON log, once (not raw to stderr).
  routeSdkNodeVersionWarning((m) => new Logger('aws-sdk').warn(m));
  const app = await NestFactory.create<NestExpressApplication>(WorkerModule.forRoot(config), { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(PinoLogger));
  app.disable('x-powered-by');
  // Without shutdown hooks BullMQ workers are never closed and in-flight jobs are abandoned.
  // (The demo runs API and worker in one process and closes both itself, once: shutdownHooks false.)
  if (opts.shutdownHooks !== false) app.enableShutdownHooks();
  await app.listen(config.WORKER_HTTP_PORT, config.WORKER_HTTP_HOST);
  new Logger('worker').log(`health and metrics on ${await workerHttpUrl(app)}`);
  return app;
}

export async function workerHttpUrl(app: INestApplication): Promise<string> {
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}
