/** Campaign webhooks (issue 10): fired on campaign state changes only, never per instance. */
export const CAMPAIGN_WEBHOOK_EVENTS = {
  started: 'campaign.started',
  waveDone: 'campaign.wave_done',
  paused: 'campaign.paused',
  stoppedOnErrors: 'campaign.stopped_on_errors',
  cancelRequested: 'campaign.cancel_requested',
  done: 'campaign.done',
} as const;
export type CampaignWebhookEventType = (typeof CAMPAIGN_WEBHOOK_EVENTS)[keyof typeof CAMPAIGN_WEBHOOK_EVENTS];

export function isCampaignWebhookEvent(type: string): type is CampaignWebhookEventType {
  return (Object.values(CAMPAIGN_WEBHOOK_EVENTS) as string[]).includes(type);
}

/** What a receiver gets for a campaign event: ids, states and counts (never targets' data, never secrets). */
export interface CampaignWebhookPayload {
  type: CampaignWebhookEventType;
  /** When the event happened (ISO 8601); the same on every retry. */
  timestamp: string;
  data: {
    id: string;
    name: string | null;
    mode: string;
    state: string;
    event: { id: string; message: string; details: Record<string, unknown> };
    /** Targets by state (pending, running, parked, approved, done, excluded). */
    counts: Record<string, number>;
    /** Targets by outcome (fixed, failed, unreachable, …). */
    outcomes: Record<string, number>;
    budget: { failures: number; maxErrors: number; unreachable: number; maxUnreachable: number };
    links: { self: string; report: string; events: string };
  };
}

export function isCampaignWebhookPayload(p: unknown): p is CampaignWebhookPayload {
  return typeof (p as { type?: unknown })?.type === 'string' && isCampaignWebhookEvent((p as { type: string }).type);
}

/** Plain values with object keys sorted, so a jsonb round trip cannot change the bytes. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** The request body in the documented order: every attempt of a delivery sends identical bytes. */
export function serializeCampaignWebhookPayload(p: CampaignWebhookPayload): string {
  const d = p.data;
  return JSON.stringify({
    type: p.type,
    timestamp: p.timestamp,
    data: {
      id: d.id,
      name: d.name,
      mode: d.mode,
      state: d.state,
      event: { id: d.event.id, message: d.event.message, details: canonical(d.event.details) },
      counts: canonical(d.counts),
      outcomes: canonical(d.outcomes),
      budget: { failures: d.budget.failures, maxErrors: d.budget.maxErrors, unreachable: d.budget.unreachable, maxUnreachable: d.budget.maxUnreachable },
      links: { self: d.links.self, report: d.links.report, events: d.links.events },
    },
  });
}
