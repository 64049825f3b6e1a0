import 'reflect-metadata';
// The SDK's Node-22 notice is for operators of the long-running services, not for CLI users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { Command } from 'commander';
import { campaignCommand } from './commands/campaign.command';

/** The rdpfix command line: migrations, the demo, API keys and fleet campaigns. */
const program = new Command('rdpfix').description('rdpfix control-plane tools').showHelpAfterError();

// `rdpfix campaign …` only talks to the API: it does not load the server-side modules below
// (Nest, TypeORM, the AWS SDK — seconds of startup for every command an operator types).
if (process.argv[2] !== 'campaign') {
  const { demoCommand } = require('./commands/demo.command') as typeof import('./commands/demo.command');
  const { keysCommand } = require('./commands/keys.command') as typeof import('./commands/keys.command');
  const { migrateCommand } = require('./commands/migrate.command') as typeof import('./commands/migrate.command');

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
}
program.addCommand(campaignCommand());

program.parseAsync(process.argv).catch((err) => {
  console.error(`rdpfix: ${(err as Error).message}`);
  process.exit(1);
});
