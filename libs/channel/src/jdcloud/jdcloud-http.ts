import { randomUUID } from 'crypto';
import { Logger } from '@nestjs/common';
import { Agent, request } from 'undici';
import { JdCredentials, signRequest } from './signing/jdcloud-signer';
import { JdcloudApiError, JdcloudNetworkError } from './jdcloud-errors';

export interface JdcloudHttpOptions {
  /** Base URL per region and service, e.g. https://assistant.jdcloud-api.com. */
  endpointFor: (region: string) => string;
  service: string;
  credentials: () => JdCredentials;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Attempts for retryable calls (RATE_LIMIT, 500, 502, 503); sends get one. */
  maxAttempts: number;
  /** First backoff; doubles per attempt, with full jitter. */
  backoffBaseMs?: number;
  /** Told of every attempt JD throttled (429 RATE_LIMIT), retried ones included (the shared budget's backoff). */
  onRateLimit?: (region: string) => void;
  now?: () => Date;
  nonce?: () => string;
}

export interface CallOptions {
  /** Retry RATE_LIMIT and 500/502/503 with backoff (reads, deletes). Never for a send. */
  retry: boolean;
  method?: 'GET' | 'POST';
  query?: string;
}

/**
 * One signed JSON call to a JD Cloud OpenAPI service (JDCLOUD2-HMAC-SHA256, as the Go SDK).
 * Bounded: a connect timeout and a whole-request timeout from config. Every answer's request id
 * is logged; credentials never are (the Authorization header is built here and only sent).
 */
export class JdcloudHttp {
  private readonly log = new Logger('JdcloudHttp');
  private readonly agent: Agent;

  constructor(private readonly opts: JdcloudHttpOptions) {
    this.agent = new Agent({
      connect: { timeout: opts.connectTimeoutMs },
      headersTimeout: opts.requestTimeoutMs,
      bodyTimeout: opts.requestTimeoutMs,
    });
  }

  async call<T>(region: string, path: string, operation: string, body: Record<string, unknown> | null, options: CallOptions): Promise<T> {
    const attempts = options.retry ? Math.max(1, this.opts.maxAttempts) : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(region, path, operation, body, options);
      } catch (err) {
        if (err instanceof JdcloudApiError && err.isRateLimit) this.opts.onRateLimit?.(region);
        const retryable = err instanceof JdcloudApiError && (err.isRateLimit || err.isRetryableServerError);
        if (!retryable || attempt >= attempts) throw err;
        const base = this.opts.backoffBaseMs ?? 200;
        await sleep(Math.random() * base * 2 ** (attempt - 1));
      }
    }
  }

  private async once<T>(region: string, path: string, operation: string, body: Record<string, unknown> | null, options: CallOptions): Promise<T> {
    const method = options.method ?? 'POST';
    const url = `${this.opts.endpointFor(region).replace(/\/$/, '')}${path}${options.query ? `?${options.query}` : ''}`;
    // The exact bytes that are hashed are the bytes that are sent.
    const text = method === 'GET' ? '' : JSON.stringify(body ?? {});
    const headers = signRequest(
      { method, url, body: text, region, service: this.opts.service, date: (this.opts.now ?? (() => new Date()))(), nonce: (this.opts.nonce ?? randomUUID)() },
      this.opts.credentials(),
    );
    delete (headers as Record<string, string>).host; // undici sets Host from the URL, identically
    let status: number;
    let raw: string;
    let headerRequestId: string | null = null;
    try {
      const res = await request(url, {
        method,
        headers,
        body: method === 'GET' ? undefined : text,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs),
      });
      status = res.statusCode;
      const rid = res.headers['x-jdcloud-request-id'];
      headerRequestId = typeof rid === 'string' ? rid : null;
      raw = await res.body.text();
    } catch (err) {
      this.log.warn(`${operation} ${region}: no answer (${(err as Error).name}: ${(err as Error).message})`);
      throw new JdcloudNetworkError((err as Error).message, err, operation);
    }
    let parsed: { requestId?: string; result?: unknown; error?: { code?: unknown; status?: unknown; message?: unknown } } | null = null;
    try {
      parsed = raw ? JSON.parse(raw) : null;
    } catch {
      parsed = null;
    }
    const requestId = (typeof parsed?.requestId === 'string' ? parsed.requestId : null) ?? headerRequestId;
    const error = parsed?.error;
    // Error when the status line says so, and defensively when a 2xx carries an error object with a non-zero code.
    if (status >= 300 || (error && typeof error === 'object' && Number(error.code) !== 0)) {
      const code = Number(error?.code) || status;
      // error.status has been seen as a number in third-party code: accept both.
      const st = error?.status === undefined || error?.status === null ? '' : String(error.status);
      const msg = typeof error?.message === 'string' ? error.message : raw.slice(0, 200);
      this.log.warn(`${operation} ${region}: ${code} ${st} requestId=${requestId ?? '-'}`);
      throw new JdcloudApiError(status, code, st, msg, requestId, operation);
    }
    if (!parsed || typeof parsed !== 'object') {
      throw new JdcloudNetworkError(`unreadable answer (HTTP ${status})`, null, operation);
    }
    this.log.debug(`${operation} ${region}: ${status} requestId=${requestId ?? '-'}`);
    return (parsed.result ?? {}) as T;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Drops every connection now (process shutdown). */
  async destroy(): Promise<void> {
    await this.agent.destroy();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
