import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@rdpfix/config';
import { PersistenceModule } from '@rdpfix/persistence';
import { QueueModule, RemediationDispatcher } from '@rdpfix/queue';
import { RemediationService } from '@rdpfix/remediation';
import { HealthController } from './health/health.controller';
import { RemediationsController } from './remediations/remediations.controller';

/** The HTTP API: validates, writes the row, enqueues. It never runs remediation steps. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot(), QueueModule.forRoot('producer')],
      controllers: [RemediationsController, HealthController],
      providers: [RemediationService, RemediationDispatcher],
    };
  }
}
