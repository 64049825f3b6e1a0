import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppConfig } from '@rdpfix/config';
import { WorkerModule } from './worker.module';

/** Builds the worker application context (used by main.ts, the demo and the tests). */
export async function createWorkerApp(config: AppConfig, opts: { shutdownHooks?: boolean } = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  // Without shutdown hooks BullMQ workers are never closed and in-flight jobs are abandoned.
  // (The demo runs API and worker in one process and closes both itself, once: shutdownHooks false.)
  if (opts.shutdownHooks !== false) app.enableShutdownHooks();
  return app;
}
