import 'reflect-metadata';
import { randomBytes } from 'crypto';
import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule, loadConfig } from '@rdpfix/config';
import { dropDatabase, ensureDatabase, PersistenceModule, RemediationEntity, RemediationRepository, runMigrations, TimelineRepository } from '@rdpfix/persistence';
import { ALL_ENTITIES } from '@rdpfix/schema';
import { HttpExceptionFilter } from '../../../apps/api/src/common/http-exception.filter';
import { strictValidationPipe } from '../../../apps/api/src/common/validation.pipe';
import { EventsModule } from '../../../apps/api/src/events/events.module';
import type { EventsStreamOptions } from '../../../apps/api/src/events/events-stream.options';
import { RemediationEventsService } from '../../../apps/api/src/events/remediation-events.service';

const PG_BASE = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

@Module({})
class EventsTestModule {
  static forRoot(config: AppConfig, opts: Partial<EventsStreamOptions>): DynamicModule {
    return { module: EventsTestModule, imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot({ entities: ALL_ENTITIES }), EventsModule.withOptions(opts)] };
  }
}

/**
 * The events endpoint in a small Nest HTTP app with the API's pipe and error filter, on its own
 * PostgreSQL database (no auth guard: that is the API module's, and the lead wires it).
 * Remediations and their timelines are written directly, as the worker would.
 */
export class EventsApp {
  app!: INestApplication;
  url!: string;
  readonly dbUrl = `${PG_BASE}/rdpfix_t_${process.pid}_${randomBytes(4).toString('hex')}`;

  static async start(opts: Partial<EventsStreamOptions> = {}): Promise<EventsApp> {
    const e = new EventsApp();
    await ensureDatabase(e.dbUrl);
    await runMigrations(e.dbUrl);
    const config = loadConfig({}, { DATABASE_URL: e.dbUrl, API_HOST: '127.0.0.1', API_PORT: 0 });
    e.app = await NestFactory.create(EventsTestModule.forRoot(config, opts), { logger: ['error'] });
    e.app.useGlobalPipes(strictValidationPipe());
    e.app.useGlobalFilters(new HttpExceptionFilter());
    await e.app.listen(0, '127.0.0.1');
    e.url = (await e.app.getUrl()).replace('[::1]', '127.0.0.1');
    return e;
  }

  get service(): RemediationEventsService {
    return this.app.get(RemediationEventsService);
  }

  async remediation(state: 'running' | 'finished' = 'running'): Promise<RemediationEntity> {
    const finished = state === 'finished';
    return this.app.get(RemediationRepository).insert({
      instanceId: `i-${randomBytes(8).toString('hex').slice(0, 17)}`,
      region: 'eu-west-1',
      mode: 'fix',
      strategy: 'remove-role',
      source: 'console',
      state,
      step: finished ? 'done' : 'diagnose',
      outcome: finished ? 'fixed' : null,
      finishedAt: finished ? new Date() : null,
      deadlineAt: new Date(Date.now() + 3600_000),
    });
  }

  event(remediationId: string, type: string, message = type, data: Record<string, unknown> | null = null) {
    return this.app.get(TimelineRepository).append({ remediationId, type, message, step: 'diagnose', data });
  }

  /** Ends a remediation the way RemediationFinisher does: state first, then the `finished` event. */
  async finish(r: RemediationEntity, eventDelayMs = 0): Promise<void> {
    const latest = (await this.app.get(RemediationRepository).findById(r.id))!;
    await this.app.get(RemediationRepository).updateIfVersion(r.id, latest.version, { state: 'finished', step: 'done', outcome: 'fixed', finishedAt: new Date() });
    if (eventDelayMs) await new Promise((res) => setTimeout(res, eventDelayMs));
    await this.event(r.id, 'finished', 'finished: fixed', { outcome: 'fixed', reason: null });
  }

  async close(): Promise<void> {
    await this.app?.close().catch(() => undefined);
    await dropDatabase(this.dbUrl).catch(() => undefined);
  }
}
