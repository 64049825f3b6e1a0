import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface PostResult {
  /** Set when the receiver answered; the body is drained, not read. */
  statusCode: number | null;
  error: string | null;
  /** The error came from the address guard (a permanent policy failure). */
  blocked: boolean;
  durationMs: number;
}

export interface PostRequest {
  url: URL;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Connect-time address check (guardedLookup). */
  lookup: LookupFunction;
}

/**
 * One POST with node:http(s) rather than fetch: redirects are never followed, the `lookup` pins
 * the connection to checked addresses, and one timer bounds connect + response headers.
 */
export function postWebhook(req: PostRequest): Promise<PostResult> {
  const started = Date.now();
  const client = req.url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Omit<PostResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, durationMs: Date.now() - started });
    };
    const request = client.request(
      req.url,
      {
        method: 'POST',
        agent: false,
        lookup: req.lookup,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(req.body)),
          'user-agent': 'rdpfix-webhooks/1',
          ...req.headers,
        },
      },
      (res) => {
        // The verdict is the status line; the body is drained (the timer still bounds it).
        res.on('error', () => undefined);
        res.resume();
        const code = res.statusCode ?? 0;
        finish({ statusCode: code, error: code >= 200 && code < 300 ? null : `HTTP ${code}`, blocked: false });
      },
    );
    const timer = setTimeout(() => request.destroy(Object.assign(new Error(`timed out after ${req.timeoutMs} ms`), { code: 'WEBHOOK_TIMEOUT' })), req.timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', (err: NodeJS.ErrnoException) => {
      const blocked = err.code === 'WEBHOOK_UNDELIVERABLE' && (err as { permanent?: boolean }).permanent === true;
      finish({ statusCode: null, error: err.message || String(err.code ?? 'request failed'), blocked });
    });
    request.end(req.body);
  });
}
