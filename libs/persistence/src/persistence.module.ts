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
  /** `entities`: every entity of the service, composed by the app (libs/schema). */
  static forRoot(opts: { entities?: DataSourceOptions['entities'] } = {}): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => dataSourceOptions(config.DATABASE_URL, opts.entities ? { entities: opts.entities } : {}),
        }),
      ],
      providers: REPOSITORIES,
      exports: REPOSITORIES,
    };
  }
}
