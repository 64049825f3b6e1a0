import 'reflect-metadata';
import { randomBytes } from 'crypto';
import Redis from 'ioredis';
import { DynamicModule, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, ConfigModule, loadConfig } from '@rdpfix/config';
import { dropDatabase, ensureDatabase, RemediationEntity, RemediationRepository, runMigrations, TimelineRepository } from '@rdpfix/persistence';
import { schemaDataSourceOptions } from '@rdpfix/schema';
import { QueueModule } from '@rdpfix/queue';
import { HostResolver, systemResolver, WEBHOOK_HOST_RESOLVER, WebhooksModule } from '@rdpfix/webhooks';
export const PG_BASE = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function migrateWithWebhooks(databaseUrl: string): Promise<void> {
  await runMigrations(databaseUrl);
}

/** PersistenceModule's repositories on a DataSource that also knows the webhook entities. */
@Module({})
class TestPersistenceModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: TestPersistenceModule,
      global: true,
      imports: [TypeOrmModule.forRoot(schemaDataSourceOptions(databaseUrl))],
      providers: [RemediationRepository, TimelineRepository],
      exports: [RemediationRepository, TimelineRepository],
    };
  }
}

/**
 * The worker side of webhooks on real PostgreSQL and Redis: its own database and key prefix,
 * Config + Persistence + Queue('worker') + WebhooksModule, as WorkerModule will wire them.
 */
export class WebhookHarness {
  app!: TestingModule;
  config!: AppConfig;
  readonly dbUrl: string;
  readonly prefix: string;
  private redis?: Redis;

  private constructor() {
    const tag = `${process.pid}_${randomBytes(4).toString('hex')}`;
    this.dbUrl = `${PG_BASE}/rdpfix_t_${tag}`;
    this.prefix = `rdpfix-t-${tag}`;
  }

  static async start(config: Partial<AppConfig> = {}, dns: Record<string, string[]> = {}, extraImports: DynamicModule['imports'] = []): Promise<WebhookHarness> {
    const h = new WebhookHarness();
    await ensureDatabase(h.dbUrl);
    await migrateWithWebhooks(h.dbUrl);
    h.config = loadConfig({}, {
      DATABASE_URL: h.dbUrl,
      REDIS_URL,
      QUEUE_PREFIX: h.prefix,
      WORKER_LOCK_DURATION_MS: 3000,
      WORKER_STALLED_INTERVAL_MS: 1000,
      // The sweeper is driven by hand in the tests.
      RECONCILE_INTERVAL_MS: 600_000,
      ...config,
    });
    // Names in `dns` resolve as given (to play DNS rebinding); others through the system.
    const resolver: HostResolver = async (host) =>
      dns[host] ? dns[host].map((address) => ({ address, family: address.includes(':') ? 6 : 4 })) : systemResolver(host);
    h.app = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(h.config), TestPersistenceModule.forRoot(h.dbUrl), QueueModule.forRoot('worker'), WebhooksModule.forRoot(), ...(extraImports ?? [])],
    })
      .overrideProvider(WEBHOOK_HOST_RESOLVER)
      .useValue(resolver)
      .compile();
    h.app.useLogger(['error']);
    await h.app.init();
    return h;
  }

  get<T>(token: unknown): T {
    return this.app.get(token as never);
  }

  get ds(): DataSource {
    return this.app.get(DataSource);
  }

  /** A remediation row in the given state (finished/fixed by default). */
  async remediation(patch: Partial<RemediationEntity> = {}): Promise<RemediationEntity> {
    const finished = (patch.state ?? 'finished') === 'finished';
    return this.get<RemediationRepository>(RemediationRepository).insert({
      instanceId: `i-${randomBytes(8).toString('hex').slice(0, 17)}`,
      region: 'eu-west-1',
      mode: 'fix',
      strategy: 'remove-role',
      source: 'ticket',
      ticketRef: 'SUP-42',
      state: 'finished',
      step: finished ? 'done' : 'reboot',
      outcome: finished ? 'fixed' : null,
      finishedAt: finished ? new Date() : null,
      deadlineAt: new Date(Date.now() + 3600_000),
      actor: { keyId: null, role: 'support', source: 'ticket' },
      ...patch,
    } as Partial<RemediationEntity>);
  }

  async close(): Promise<void> {
    await this.app?.close().catch(() => undefined);
    const redis = (this.redis ??= new Redis(REDIS_URL));
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
    await dropDatabase(this.dbUrl).catch(() => undefined);
  }
}

/** Polls until `fn` returns a truthy value. */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
