/**
 * Whether an error means PostgreSQL or Redis is unreachable (issue 8, defect 9). The exception
 * filter turns a non-null answer into 503 + Retry-After in the one error shape
 * (`error: "service_unavailable"`). The classifier itself lives in @rdpfix/queue so the worker
 * uses the same rule to reschedule instead of failing a remediation.
 */
import { infrastructureFailureOf as classify, InfrastructureFailure } from '@rdpfix/queue';

export type { InfrastructureFailure };

export function infrastructureFailureOf(e: unknown): InfrastructureFailure | null {
  return classify(e);
}
