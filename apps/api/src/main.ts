import 'reflect-metadata';
import { loadConfig } from '@rdpfix/config';
import { createApiApp, listen } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  await listen(app, config);
}

main().catch((err) => {
  console.error(`rdpfix api failed to start: ${(err as Error).message}`);
  process.exit(1);
});
