import { DynamicModule, Module } from '@nestjs/common';
import type { DataSourceOptions } from 'typeorm';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@rdpfix/config';
import { dataSourceOptions } from './data-source-options';
import { CommandRunRepository } from './repositories/command-run.repository';
import { RemediationRepository } from './repositories/remediation.repository';
import { TimelineRepository } from './repositories/timeline.repository';

const REPOSITORIES = [RemediationRepository, CommandRunRepository, TimelineRepository];

@Module({})
export class PersistenceModule {
  /**
   * `entities`: every entity of the service, composed by the app (libs/schema). `pool`: whose
   * connection bound applies (WORKER_DB_POOL_MAX for the worker, DB_POOL_MAX otherwise).
   */
  static forRoot(opts: { entities?: DataSourceOptions['entities']; pool?: 'worker' | 'default' } = {}): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) =>
            dataSourceOptions(config.DATABASE_URL, {
              ...(opts.entities ? { entities: opts.entities } : {}),
              extra: { max: opts.pool === 'worker' ? config.WORKER_DB_POOL_MAX : config.DB_POOL_MAX, connectionTimeoutMillis: 5000 },
            }),
        }),
      ],
      providers: REPOSITORIES,
      exports: REPOSITORIES,
    };
  }
}
