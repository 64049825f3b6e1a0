import 'reflect-metadata';
import { loadConfig } from '@rdpfix/config';
import { createWorkerApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  await createWorkerApp(config);
  // @nestjs/bullmq can hang on exit when Redis went away; do not outlive a shutdown request by much.
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => setTimeout(() => process.exit(0), 10_000).unref());
  }
}

main().catch((err) => {
  console.error(`rdpfix worker failed to start: ${(err as Error).message}`);
  process.exit(1);
});
