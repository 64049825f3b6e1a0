import type { RemediationEntity } from '@rdpfix/persistence';

export const WEBHOOK_EVENTS = {
  finished: 'remediation.finished',
  awaitingApproval: 'remediation.awaiting_approval',
} as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[keyof typeof WEBHOOK_EVENTS];

/** What a receiver gets: ids and facts only (no request parameters beyond them, never secrets). */
export interface WebhookPayload {
  type: WebhookEventType;
  /** When the event happened (ISO 8601); the same on every retry. */
  timestamp: string;
  data: {
    id: string;
    instanceId: string;
    region: string;
    state: string;
    outcome: string | null;
    reason: string | null;
    reasonDetail: string | null;
    ticketRef: string | null;
    /** Set for remediation.awaiting_approval: approve before this time. */
    approvalExpiresAt: string | null;
    links: { self: string; events: string; approve: string; cancel: string };
  };
}

export function buildWebhookPayload(type: WebhookEventType, r: RemediationEntity, at: Date = new Date()): WebhookPayload {
  const self = `/v1/remediations/${r.id}`;
  return {
    type,
    timestamp: at.toISOString(),
    data: {
      id: r.id,
      instanceId: r.instanceId,
      region: r.region,
      state: r.state,
      outcome: r.outcome ?? null,
      reason: r.reason ?? null,
      reasonDetail: r.reasonDetail ?? null,
      ticketRef: r.ticketRef ?? null,
      approvalExpiresAt: r.approvalExpiresAt ? new Date(r.approvalExpiresAt).toISOString() : null,
      links: { self, events: `${self}/events`, approve: `${self}/approve`, cancel: `${self}/cancel` },
    },
  };
}

/**
 * The request body. jsonb reorders keys, so the body is rebuilt in the documented order: every
 * attempt of a delivery then sends byte-identical JSON.
 */
export function serializeWebhookPayload(p: WebhookPayload): string {
  const d = p.data;
  return JSON.stringify({
    type: p.type,
    timestamp: p.timestamp,
    data: {
      id: d.id,
      instanceId: d.instanceId,
      region: d.region,
      state: d.state,
      outcome: d.outcome,
      reason: d.reason,
      reasonDetail: d.reasonDetail,
      ticketRef: d.ticketRef,
      approvalExpiresAt: d.approvalExpiresAt,
      links: { self: d.links.self, events: d.links.events, approve: d.links.approve, cancel: d.links.cancel },
    },
  });
}
