/** The provider (or our shared budget) throttled us; wait `retryAfterMs` and try again. */
export class ChannelThrottledError extends Error {
  constructor(message: string, readonly retryAfterMs: number) {
    super(message);
    this.name = 'ChannelThrottledError';
  }
}

/**
 * Any other channel failure. `sent` says whether a send may have reached the provider:
 * 'no' (rejected before it ran), or 'unknown' (network failure; look it up before resending).
 */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
    readonly sent: 'no' | 'unknown' = 'no',
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}
