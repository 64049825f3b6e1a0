import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module, ModuleMetadata, Type } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { WebhookDeliveryService } from './api/webhook-delivery.service';
import { WebhookDeliverer } from './delivery/webhook-deliverer';
import { WebhookDeliveryWorker } from './delivery/webhook-delivery-worker.service';
import { WEBHOOK_QUEUE, WebhookQueue } from './delivery/webhook-queue';
import { WebhookSweeper } from './delivery/webhook-sweeper.service';
import { CALLBACK_URL_RESOLVER, CallbackUrlResolver, RequestCallbackUrlResolver } from './listener/callback-url-resolver';
import { WebhookEnqueuer } from './listener/webhook-enqueuer';
import { WebhookListener } from './listener/webhook-listener';
import { WebhookDeliveryRepository } from './persistence';
import { systemResolver } from './policy/assert-deliverable';
import { callbackUrlPolicy } from './policy/callback-url-policy';
import { ConfigWebhookSecretResolver, WEBHOOK_SECRET_RESOLVER, WebhookSecretResolver } from './signing/webhook-secret-resolver';
import { CALLBACK_URL_POLICY, WEBHOOK_HOST_RESOLVER } from './tokens';

export interface WebhooksModuleOptions {
  /** Modules the resolvers below need (repositories of PersistenceModule are global already). */
  imports?: ModuleMetadata['imports'];
  /** Per-API-key secrets instead of WEBHOOK_SECRET. */
  secretResolver?: Type<WebhookSecretResolver>;
  /** Per-API-key default callback URLs instead of only the request's callbackUrl. */
  callbackUrlResolver?: Type<CallbackUrlResolver>;
}

/**
 * Worker side: the listener (finished / awaiting approval -> delivery row + job), the delivery
 * worker and the sweeper. Needs ConfigModule, PersistenceModule (with WEBHOOK_ENTITIES in the
 * DataSource) and QueueModule. Global so the engine can inject WebhookListener.
 */
@Module({})
export class WebhooksModule {
  static forRoot(opts: WebhooksModuleOptions = {}): DynamicModule {
    return {
      module: WebhooksModule,
      global: true,
      imports: [BullModule.registerQueue({ name: WEBHOOK_QUEUE }), ...(opts.imports ?? [])],
      providers: [
        { provide: CALLBACK_URL_POLICY, inject: [AppConfig], useFactory: callbackUrlPolicy },
        { provide: WEBHOOK_HOST_RESOLVER, useValue: systemResolver },
        { provide: WEBHOOK_SECRET_RESOLVER, useClass: opts.secretResolver ?? ConfigWebhookSecretResolver },
        { provide: CALLBACK_URL_RESOLVER, useClass: opts.callbackUrlResolver ?? RequestCallbackUrlResolver },
        WebhookDeliveryRepository,
        WebhookQueue,
        WebhookEnqueuer,
        WebhookListener,
        WebhookDeliverer,
        WebhookDeliveryWorker,
        WebhookSweeper,
        WebhookDeliveryService,
      ],
      exports: [WebhookListener, WebhookEnqueuer, WebhookDeliveryService, CALLBACK_URL_POLICY],
    };
  }
}

/** API side: reading deliveries and their attempts. Needs PersistenceModule. */
@Module({
  providers: [WebhookDeliveryRepository, WebhookDeliveryService],
  exports: [WebhookDeliveryService],
})
export class WebhookReadModule {}
