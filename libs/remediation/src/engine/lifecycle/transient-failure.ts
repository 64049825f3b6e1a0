import { ChannelError, ChannelThrottledError } from '@rdpfix/channel';
import { infrastructureFailureOf } from '@rdpfix/queue';

/**
 * Errors that say nothing about the remediation itself — PostgreSQL or Redis unreachable, the
 * channel throttling or answering 5xx — and so must never fail it (issue 8, defect 5). The worker
 * reschedules the job with backoff instead, without spending a BullMQ attempt; only the overall
 * deadline ends a remediation.
 */
export function isTransientFailure(err: unknown): boolean {
  if (err instanceof ChannelThrottledError) return true;
  if (err instanceof ChannelError && err.retryable) return true;
  return infrastructureFailureOf(err) !== null;
}

/** Backoff for the n-th consecutive transient failure of one remediation: 0.5 s doubling to 30 s, ±20 %. */
export function transientBackoffMs(n: number, baseMs = 500, maxMs = 30_000): number {
  const ms = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(n, 16)));
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}
