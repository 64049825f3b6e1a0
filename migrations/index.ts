import { InitialSchema1764057600000 } from './1764057600000-initial-schema';
import { ApiKeys1764057650000 } from './1764057650000-api-keys';
import { Webhooks1764057700000 } from './1764057700000-webhooks';
import { Rollback1764057800000 } from './1764057800000-rollback';
import { RequestSymptom1764100000000 } from './1764100000000-request-symptom';
import { OneRollback1764300000000 } from './1764300000000-one-rollback';
import { Campaigns1764400000000 } from './1764400000000-campaigns';
import { CampaignWebhooks1764400000100 } from './1764400000100-campaign-webhooks';
import { TenantFleetKeys1764400000200 } from './1764400000200-tenant-fleet-keys';
import { FencedSends1764500000000 } from './1764500000000-fenced-sends';
import { ActiveRemediationsById1764510000000 } from './1764510000000-active-remediations-by-id';
import { StreamTokens1764530000000 } from './1764530000000-stream-tokens';
import { TicketRefPrefix1764530000100 } from './1764530000100-ticket-ref-prefix';
import { CommandBatches1764540000000 } from './1764540000000-command-batches';
import { HarvestDueIndex1764550000000 } from './1764550000000-harvest-due-index';
import { HotRemediationUpdates1764560000000 } from './1764560000000-hot-remediation-updates';
import { CampaignRegions1764570000000 } from './1764570000000-campaign-regions';
import { TimelineEventsUncheckedOwner1764580000000 } from './1764580000000-timeline-events-unchecked-owner';
import { CampaignWaveCohorts1764590000000 } from './1764590000000-campaign-wave-cohorts';
import { CampaignChangeGate1764600000000 } from './1764600000000-campaign-change-gate';
import { RemediationsFillfactor1764610000000 } from './1764610000000-remediations-fillfactor';

/** Every migration in order. Listed explicitly so source (jest) and dist runs see the same set. */
export const MIGRATIONS = [
  InitialSchema1764057600000,
  ApiKeys1764057650000,
  Webhooks1764057700000,
  Rollback1764057800000,
  RequestSymptom1764100000000,
  OneRollback1764300000000,
  Campaigns1764400000000,
  CampaignWebhooks1764400000100,
  TenantFleetKeys1764400000200,
  FencedSends1764500000000,
  ActiveRemediationsById1764510000000,
  StreamTokens1764530000000,
  TicketRefPrefix1764530000100,
  CommandBatches1764540000000,
  HarvestDueIndex1764550000000,
  HotRemediationUpdates1764560000000,
  CampaignRegions1764570000000,
  TimelineEventsUncheckedOwner1764580000000,
  CampaignWaveCohorts1764590000000,
  CampaignChangeGate1764600000000,
  RemediationsFillfactor1764610000000,
];
