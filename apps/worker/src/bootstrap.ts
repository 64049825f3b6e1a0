import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@rdpfix/config';
import { WorkerModule } from './worker.module';

/** Builds the worker application context (used by main.ts, the demo and the tests). */
export async function createWorkerApp(config: AppConfig, opts: { logger?: false | ('error' | 'warn' | 'log')[] } = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: opts.logger ?? ['error', 'warn', 'log'] });
  // Without shutdown hooks BullMQ workers are never closed and in-flight jobs are abandoned.
  app.enableShutdownHooks();
  return app;
}
