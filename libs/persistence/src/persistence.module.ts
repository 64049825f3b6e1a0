import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@rdpfix/config';
import { dataSourceOptions } from './data-source-options';
import { CommandRunRepository } from './repositories/command-run.repository';
import { RemediationRepository } from './repositories/remediation.repository';
import { TimelineRepository } from './repositories/timeline.repository';

const REPOSITORIES = [RemediationRepository, CommandRunRepository, TimelineRepository];

@Module({})
export class PersistenceModule {
  static forRoot(): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => dataSourceOptions(config.DATABASE_URL),
        }),
      ],
      providers: REPOSITORIES,
      exports: REPOSITORIES,
    };
  }
}
