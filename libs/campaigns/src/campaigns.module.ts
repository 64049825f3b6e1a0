import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { IdempotencyService } from '@rdpfix/auth';
import { RemediationDispatcher } from '@rdpfix/queue';
import { RemediationService, RollbackGuard } from '@rdpfix/remediation';
import { CampaignControl } from './control/campaign-control';
import { CampaignCreator } from './creation/campaign-creator';
import { CampaignEventRepository } from './events/campaign-event.repository';
import { CampaignNotifier } from './events/campaign-notifier';
import { CampaignRepository } from './persistence/campaign.repository';
import { CampaignQueries } from './read/campaign-queries';
import { CampaignReports } from './read/campaign-report';
import { CampaignListener } from './scheduler/campaign-listener';
import { CampaignScheduler } from './scheduler/campaign-scheduler';
import { CampaignSweeper } from './scheduler/campaign-sweeper';
import { CampaignTickWorker } from './scheduler/campaign-tick-worker';
import { CAMPAIGN_QUEUE, CampaignWaker } from './scheduler/campaign-waker';

/**
 * The worker has no remediation use cases of its own: the scheduler approves and cancels through
 * the ordinary ones (and queues through the ordinary dispatcher), provided here. The API already
 * has them (ApiModule); CampaignControl uses those (one instance each in the app).
 */
const REMEDIATION_USE_CASES = [RemediationService, RollbackGuard, IdempotencyService, RemediationDispatcher];

/**
 * API side: create (stream, stage, freeze), control (pause, resume, cancel, approve, retry) and
 * read (progress, report, census). Needs Config, Persistence (with CAMPAIGN_ENTITIES), Queue
 * ('producer') and the inventory module.
 */
@Module({})
export class CampaignsApiModule {
  static forRoot(): DynamicModule {
    return {
      module: CampaignsApiModule,
      imports: [BullModule.registerQueue({ name: CAMPAIGN_QUEUE })],
      providers: [CampaignRepository, CampaignEventRepository, CampaignWaker, CampaignCreator, CampaignControl, CampaignQueries, CampaignReports],
      exports: [CampaignCreator, CampaignControl, CampaignQueries, CampaignReports, CampaignEventRepository, CampaignRepository],
    };
  }
}

/**
 * Worker side: the scheduler (ticks from the queue and the safety pass) and the listener the
 * app hands to EngineModule.forRoot({ listeners }). Global so the engine can inject the listener.
 * Needs Config, Persistence, Queue ('worker'), Channel and WebhooksModule.
 */
@Module({})
export class CampaignsWorkerModule {
  static forRoot(): DynamicModule {
    return {
      module: CampaignsWorkerModule,
      global: true,
      imports: [BullModule.registerQueue({ name: CAMPAIGN_QUEUE })],
      providers: [
        CampaignRepository,
        CampaignEventRepository,
        CampaignWaker,
        CampaignNotifier,
        CampaignScheduler,
        CampaignListener,
        CampaignSweeper,
        CampaignTickWorker,
        ...REMEDIATION_USE_CASES,
      ],
      exports: [CampaignListener, CampaignScheduler, CampaignSweeper],
    };
  }
}
