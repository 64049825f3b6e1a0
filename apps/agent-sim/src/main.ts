import { Logger } from '@nestjs/common';
import { optionsFromEnv } from './config/simulator-options';
import { startSimulator } from './simulator';

async function main(): Promise<void> {
  const sim = await startSimulator({ logger: true, ...optionsFromEnv() });
  Logger.log(`agent-sim on ${sim.url}: SSM JSON 1.1 at POST /, admin at /admin, inventory at /inventory`, 'AgentSim');
  const stop = () => {
    // Never hang a container stop on a slow close.
    setTimeout(() => process.exit(0), 5000).unref();
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
