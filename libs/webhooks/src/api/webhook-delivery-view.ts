import type { WebhookAttemptEntity, WebhookDeliveryEntity } from '../persistence';

/**
 * The public shape of a delivery. The URL is shown as its origin only: callback URLs often carry
 * a capability token in the path or query. Payload is ids and facts; no secret exists to show.
 */
export function webhookDeliveryView(d: WebhookDeliveryEntity, attempts: WebhookAttemptEntity[]) {
  return {
    id: d.id,
    eventType: d.eventType,
    target: originOf(d.url),
    status: d.status,
    attemptCount: d.attempts,
    nextAttemptAt: d.status === 'pending' ? (d.nextAttemptAt?.toISOString() ?? null) : null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    payload: d.payload,
    attempts: attempts.map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), statusCode: a.statusCode, error: a.error, durationMs: a.durationMs })),
  };
}
export type WebhookDeliveryView = ReturnType<typeof webhookDeliveryView>;

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
