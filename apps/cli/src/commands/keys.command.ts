import { Command, InvalidArgumentError } from 'commander';
import { validate } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { DataSource } from 'typeorm';
import { ApiKeyService, apiKeyView } from '@rdpfix/auth';
import { loadConfig } from '@rdpfix/config';
import { schemaDataSourceOptions } from '@rdpfix/schema';
import { CreateApiKeyDto } from '../../../api/src/admin/dto/create-api-key.dto';
import { preflight } from '../preflight';

async function withKeys<T>(fn: (svc: ApiKeyService) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const problems = (await preflight(config.DATABASE_URL, config.REDIS_URL)).filter((p) => p.startsWith('PostgreSQL'));
  if (problems.length) throw new Error(problems[0]);
  const ds = new DataSource(schemaDataSourceOptions(config.DATABASE_URL, { extra: { max: 1 } }));
  await ds.initialize();
  try {
    return await fn(new ApiKeyService(ds, config));
  } finally {
    await ds.destroy();
  }
}

const positiveInt = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('must be a positive integer');
  return Number(v);
};

/** `rdpfix keys create|list|revoke`: the same rules as the admin endpoint. */
export function keysCommand(): Command {
  const keys = new Command('keys').description('manage API keys (stored hashed; a key is shown once)');
  keys
    .command('create')
    .requiredOption('--name <name>', 'who the key is for')
    .requiredOption('--role <role>', 'admin | support | console | fleet')
    .option('--tenant <tenantId>', 'tenant (required for console keys, optional for fleet keys)')
    .option('--callback-url <url>', 'default webhook URL for this key')
    .option('--rate-limit <n>', 'requests per second', positiveInt)
    .action(async (o: { name: string; role: string; tenant?: string; callbackUrl?: string; rateLimit?: number }) => {
      const dto = plainToInstance(CreateApiKeyDto, { name: o.name, role: o.role, tenantId: o.tenant, defaultCallbackUrl: o.callbackUrl, rateLimitPerSecond: o.rateLimit });
      const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length) {
        for (const e of errors) console.error(`${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`);
        process.exit(2);
      }
      const created = await withKeys((svc) => svc.create(dto));
      console.log(JSON.stringify({ ...apiKeyView(created.record), key: created.key, webhookSecret: created.webhookSecret }, null, 2));
      console.error('Store the key and the webhook secret now: they are not shown again.');
    });
  keys
    .command('list')
    .action(async () => {
      const list = await withKeys((svc) => svc.list());
      console.log(JSON.stringify(list.map(apiKeyView), null, 2));
    });
  keys
    .command('revoke <id>')
    .action(async (id: string) => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) {
        console.error('id must be a UUID');
        process.exit(2);
      }
      const k = await withKeys((svc) => svc.revoke(id));
      if (!k) {
        console.error(`API key ${id} not found`);
        process.exit(1);
      }
      console.log(JSON.stringify(apiKeyView(k), null, 2));
    });
  return keys;
}
