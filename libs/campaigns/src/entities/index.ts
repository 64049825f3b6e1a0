import { CampaignEventEntity } from './campaign-event.entity';
import { CampaignTargetEntity } from './campaign-target.entity';
import { CampaignWaveEntity } from './campaign-wave.entity';
import { CampaignEntity } from './campaign.entity';

export * from './campaign.entity';
export * from './campaign-target.entity';
export * from './campaign-wave.entity';
export * from './campaign-event.entity';

/** For the DataSource's `entities` (composed by libs/schema). */
export const CAMPAIGN_ENTITIES = [CampaignEntity, CampaignTargetEntity, CampaignWaveEntity, CampaignEventEntity];
