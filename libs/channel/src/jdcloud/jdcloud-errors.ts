/** A JD Cloud error envelope `{requestId, error: {code, status, message}}` (jdcloud-assistant.md §1, §4.1). */
export class JdcloudApiError extends Error {
  constructor(
    /** HTTP status of the answer. */
    readonly httpStatus: number,
    /** `error.code` (the HTTP code by the docs; 0 or absent is taken from the status line). */
    readonly code: number,
    /** `error.status`, e.g. RATE_LIMIT, QUOTA_EXCEEDED, INVALID_ARGUMENT (may be absent). */
    readonly status: string,
    message: string,
    readonly requestId: string | null,
    readonly operation: string,
  ) {
    super(`${operation}: ${code} ${status}: ${message}${requestId ? ` (requestId ${requestId})` : ''}`);
    this.name = 'JdcloudApiError';
  }

  /** Throttling: back off and retry. QUOTA_EXCEEDED is also 429 but is not retried. */
  get isRateLimit(): boolean {
    return this.status === 'RATE_LIMIT' || (this.code === 429 && this.status !== 'QUOTA_EXCEEDED');
  }

  /** 500, 502, 503 are retried with backoff; every other 4xx/5xx is not. */
  get isRetryableServerError(): boolean {
    return this.code === 500 || this.code === 502 || this.code === 503;
  }

  /** The operation does not exist (any more): 404 on the route, or 501 NOT_IMPLEMENTED. */
  get isUnsupportedOperation(): boolean {
    return this.code === 501 || (this.code === 404 && /operation|route|not implemented|unknown api/i.test(this.message));
  }
}

/** No answer (connect failure, timeout, reset, unreadable body). Whether the call acted is unknown. */
export class JdcloudNetworkError extends Error {
  constructor(
    message: string,
    readonly cause: unknown,
    readonly operation: string,
  ) {
    super(`${operation}: ${message}`);
    this.name = 'JdcloudNetworkError';
  }
}
