import 'reflect-metadata';
import { loadConfig } from '@rdpfix/config';
import { createWorkerApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  await createWorkerApp(config);
  // SIGTERM/SIGINT: Nest's shutdown hooks run the graceful shutdown (ops/graceful-shutdown.ts:
  // no new jobs, in-flight steps get SHUTDOWN_GRACE_MS, the rest is handed back). @nestjs/bullmq
  // can hang on exit when Redis went away: do not outlive the grace period by much.
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => setTimeout(() => process.exit(0), config.SHUTDOWN_GRACE_MS + 10_000).unref());
  }
}

main().catch((err) => {
  console.error(`rdpfix worker failed to start: ${(err as Error).message}`);
  process.exit(1);
});
