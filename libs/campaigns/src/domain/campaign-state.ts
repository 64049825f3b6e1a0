/** Lifecycle of a campaign (campaigns.state). */
export const CAMPAIGN_STATES = ['running', 'paused', 'stopping', 'cancelling', 'completed', 'stopped', 'cancelled'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** States in which the scheduler still has work (harvest, claim or drain). */
export const ACTIVE_CAMPAIGN_STATES: readonly CampaignState[] = ['running', 'paused', 'stopping', 'cancelling'];
export const FINAL_CAMPAIGN_STATES: readonly CampaignState[] = ['completed', 'stopped', 'cancelled'];

export function isFinal(state: string): boolean {
  return (FINAL_CAMPAIGN_STATES as readonly string[]).includes(state);
}

/**
 * What a draining state becomes once nothing is in flight: stopping → stopped (a budget was
 * exceeded), cancelling → cancelled; running/paused with no work left → completed.
 */
export function drainedState(state: CampaignState): CampaignState {
  if (state === 'stopping') return 'stopped';
  if (state === 'cancelling') return 'cancelled';
  return 'completed';
}

/** Campaign webhook/SSE event types (state changes only). */
export const CAMPAIGN_EVENT_TYPES = {
  started: 'campaign.started',
  waveDone: 'campaign.wave_done',
  paused: 'campaign.paused',
  resumed: 'campaign.resumed',
  stoppedOnErrors: 'campaign.stopped_on_errors',
  cancelRequested: 'campaign.cancel_requested',
  approved: 'campaign.approved',
  done: 'campaign.done',
} as const;

/** The events that are also sent as webhooks (issue 10 §10 + the cancel, which is a state change too). */
export const CAMPAIGN_WEBHOOK_EVENTS: readonly string[] = [
  CAMPAIGN_EVENT_TYPES.started,
  CAMPAIGN_EVENT_TYPES.waveDone,
  CAMPAIGN_EVENT_TYPES.paused,
  CAMPAIGN_EVENT_TYPES.stoppedOnErrors,
  CAMPAIGN_EVENT_TYPES.cancelRequested,
  CAMPAIGN_EVENT_TYPES.done,
];
