import { Module } from '@nestjs/common';
import { CampaignsApiModule } from '@rdpfix/campaigns';
import { WebhookReadModule } from '@rdpfix/webhooks';
import { EventsModule } from '../events/events.module';
import { CampaignCallBudget } from './campaign-call-budget';
import { CampaignEventStream } from './campaign-event-stream';
import { CampaignEventsController } from './campaign-events.controller';
import { CampaignsController } from './campaigns.controller';

/** /v1/campaigns: the HTTP face of libs/campaigns. */
@Module({
  imports: [CampaignsApiModule.forRoot(), EventsModule, WebhookReadModule],
  controllers: [CampaignsController, CampaignEventsController],
  providers: [CampaignEventStream, CampaignCallBudget],
})
export class CampaignsHttpModule {}
