/**
 * When to try a failed delivery again. WEBHOOK_RETRY_SCHEDULE_S lists the waits before attempt
 * 2, 3, ...; n waits mean n + 1 attempts. WEBHOOK_RETRY_SCALE multiplies them (tests: ~0.001).
 */
export class RetrySchedule {
  constructor(
    readonly delaysS: readonly number[],
    readonly scale = 1,
  ) {}

  static fromConfig(config: { WEBHOOK_RETRY_SCHEDULE_S: string; WEBHOOK_RETRY_SCALE: number }): RetrySchedule {
    return new RetrySchedule(parseRetrySchedule(config.WEBHOOK_RETRY_SCHEDULE_S), config.WEBHOOK_RETRY_SCALE);
  }

  get maxAttempts(): number {
    return this.delaysS.length + 1;
  }

  /** Unscaled span from the first to the last attempt, in seconds. */
  get totalSeconds(): number {
    return this.delaysS.reduce((a, b) => a + b, 0);
  }

  /** Milliseconds to wait after failed attempt `attempt` (1-based), or null when none is left. */
  delayAfter(attempt: number): number | null {
    if (attempt < 1 || attempt > this.delaysS.length) return null;
    return Math.round(this.delaysS[attempt - 1] * 1000 * this.scale);
  }
}

export function parseRetrySchedule(raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) throw new Error('WEBHOOK_RETRY_SCHEDULE_S must be a comma list of whole seconds');
  return parts.map(Number);
}

export type AttemptVerdict = 'delivered' | 'retry' | 'permanent';

/** Client errors a receiver may recover from on its own: timeout, too early, rate limited. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/**
 * 2xx delivers. Other 4xx are permanent: the receiver understood and rejected this message, and
 * the same bytes will be rejected again (a receiver that wants a retry answers 5xx or 429).
 * 3xx is not followed (a redirect could lead into a private network) and, like 5xx, is retried.
 */
export function classifyStatus(code: number): AttemptVerdict {
  if (code >= 200 && code < 300) return 'delivered';
  if (code >= 400 && code < 500 && !RETRYABLE_4XX.has(code)) return 'permanent';
  return 'retry';
}
