import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@rdpfix/config';
import { CampaignListener, CampaignsWorkerModule } from '@rdpfix/campaigns';
import { ChannelModule } from '@rdpfix/channel';
import { PersistenceModule } from '@rdpfix/persistence';
import { QueueModule } from '@rdpfix/queue';
import { EngineModule } from '@rdpfix/remediation';
import { ALL_ENTITIES } from '@rdpfix/schema';
import { LoggingModule } from '@rdpfix/observability';
import { WebhookListener, WebhooksModule } from '@rdpfix/webhooks';
import { ApiKeyWebhookSecretResolver } from './api-key-webhook-secret.resolver';
import { MetricsListener } from './ops/metrics.listener';
import { WorkerOpsModule } from './ops/worker-ops.module';

/** The worker: BullMQ processors and the reconciler. It serves no business HTTP (only health and metrics, on WORKER_HTTP_PORT). */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(),
        // Health, readiness and metrics on WORKER_HTTP_PORT; graceful shutdown.
        WorkerOpsModule,
        PersistenceModule.forRoot({ entities: ALL_ENTITIES, pool: 'worker' }),
        QueueModule.forRoot('worker'),
        WebhooksModule.forRoot({ secretResolver: ApiKeyWebhookSecretResolver }),
        ChannelModule,
        // Campaign scheduler: woken by its listener below and by a periodic safety pass.
        CampaignsWorkerModule.forRoot(),
        // The app composes who hears of finished or parked remediations: the webhook sender and campaigns.
        EngineModule.forRoot({ listeners: [WebhookListener, CampaignListener, MetricsListener] }),
      ],
    };
  }
}
