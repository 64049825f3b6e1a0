import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@rdpfix/config';
import { ChannelModule } from '@rdpfix/channel';
import { PersistenceModule } from '@rdpfix/persistence';
import { QueueModule } from '@rdpfix/queue';
import { EngineModule } from '@rdpfix/remediation';
import { LoggingModule } from '@rdpfix/observability';
import { WebhooksModule } from '@rdpfix/webhooks';
import { ApiKeyWebhookSecretResolver } from './api-key-webhook-secret.resolver';

/** The worker: BullMQ processors and the reconciler. It serves no business HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(),
        PersistenceModule.forRoot(),
        QueueModule.forRoot('worker'),
        WebhooksModule.forRoot({ secretResolver: ApiKeyWebhookSecretResolver }),
        ChannelModule,
        EngineModule,
      ],
    };
  }
}
