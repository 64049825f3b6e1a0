import 'reflect-metadata';
// The SDK's Node-22 notice is for operators of the long-running services, not for CLI users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { Command } from 'commander';
import { demoCommand } from './commands/demo.command';
import { keysCommand } from './commands/keys.command';
import { migrateCommand } from './commands/migrate.command';

/** The rdpfix command line: migrations, the demo, and API keys. */
const program = new Command('rdpfix').description('rdpfix control-plane tools').showHelpAfterError();

program
  .command('migrate')
  .description('create the database if needed and apply pending migrations')
  .action(async () => process.exit(await migrateCommand()));

program
  .command('demo')
  .description('fix a handful of broken simulated Windows instances end to end, then print each outcome')
  .option('--keep', 'keep the stack running after the demo (Ctrl-C to stop)', false)
  .option('--channel <name>', 'command channel of the simulated cloud: ssm or jdcloud', 'ssm')
  .action(async (opts: { keep: boolean; channel: string }) => process.exit(await demoCommand(opts)));

program.addCommand(keysCommand());

program.parseAsync(process.argv).catch((err) => {
  console.error(`rdpfix: ${(err as Error).message}`);
  process.exit(1);
});
