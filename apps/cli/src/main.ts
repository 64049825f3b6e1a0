import 'reflect-metadata';
// The SDK's Node-22 notice is for operators of the long-running services, not for CLI users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { Command } from 'commander';
import { campaignCommand } from './commands/campaign.command';
import { remediationCommands } from './commands/remediation/remediation.commands';
import { cliVersion } from './version';

/** The rdpfix command line: remediations, fleet campaigns, API keys, migrations and the demo. */
const program = new Command('rdpfix')
  .description('rdpfix: repair Windows servers that refuse RDP (licensing lockout, one session per user) through the cloud\'s guest agent')
  .version(cliVersion(), '-V, --version', 'print the rdpfix version')
  .showHelpAfterError();

// The API commands only talk to the API: they do not load the server-side modules below
// (Nest, TypeORM, the AWS SDK — seconds of startup for every command an operator types).
const API_COMMANDS = new Set(['campaign', 'diagnose', 'fix', 'watch', 'approve', 'cancel']);
if (!API_COMMANDS.has(process.argv[2])) {
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
for (const c of remediationCommands()) program.addCommand(c);
program.addCommand(campaignCommand());

program.parseAsync(process.argv).catch((err) => {
  console.error(`rdpfix: ${(err as Error).message}`);
  process.exit(1);
});
