import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ChannelInventoryModule } from '@rdpfix/channel';
import { AppConfig, ConfigModule } from '@rdpfix/config';
import { PersistenceModule } from '@rdpfix/persistence';
import { ALL_ENTITIES } from '@rdpfix/schema';
import { QueueModule, RemediationDispatcher } from '@rdpfix/queue';
import { RemediationService, RollbackGuard } from '@rdpfix/remediation';
import { ApiKeysController } from './admin/api-keys.controller';
import { CampaignsHttpModule } from './campaigns/campaigns-http.module';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AuthModule } from './auth/auth.module';
import { RateLimitGuard } from './auth/rate-limit.guard';
import { EventsModule } from './events/events.module';
import { HealthController } from './health/health.controller';
import { RequestDrain } from './ops/request-drain';
import { QueueBoard } from './queue-board/queue-board.service';
import { MetricsController } from './metrics/metrics.controller';
import { apiMetricsProvider } from './metrics/metrics.provider';
import { TerminusModule } from '@nestjs/terminus';
import { LoggingModule, ReadinessChecks } from '@rdpfix/observability';
import { WebhookReadModule } from '@rdpfix/webhooks';
import { RemediationsController } from './remediations/remediations.controller';
import { ChannelIdValidator } from './common/channel-ids';

/** The HTTP API: authenticates, validates, writes the row, enqueues. It never runs remediation steps. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(), AuthModule, PersistenceModule.forRoot({ entities: ALL_ENTITIES }), QueueModule.forRoot('producer'), ChannelInventoryModule, EventsModule, WebhookReadModule, CampaignsHttpModule, TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [RemediationsController, ApiKeysController, HealthController, MetricsController],
      providers: [
        RemediationService,
        RollbackGuard,
        apiMetricsProvider,
        ReadinessChecks,
        RequestDrain,
        QueueBoard,
        RemediationDispatcher,
        ChannelIdValidator,
        // Order matters: authenticate first, then count the request against the key's limit.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
    };
  }
}
