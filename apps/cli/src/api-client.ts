import { readFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { Readable } from 'stream';

/**
 * The CLI's one HTTP client for the rdpfix API (reusable by every command). The key comes from
 * RDPFIX_API_KEY or a config file — never from a flag, so it stays out of shell history and
 * `ps`. The config file is $RDPFIX_CONFIG or ~/.config/rdpfix/config.json:
 * `{ "apiUrl": "https://rdpfix.example.com", "apiKey": "rdpfix_…" }`.
 */
export interface ApiClientOptions {
  baseUrl: string;
  apiKey: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { statusCode?: number; error?: string; message?: string; fields?: { field: string; message: string }[] } | null,
  ) {
    super(body?.message ? `${status} ${body.error ?? ''}: ${body.message}` : `the API answered ${status}`);
    this.name = 'ApiError';
  }
}

export class ConfigurationError extends Error {}

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.RDPFIX_CONFIG ?? path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'rdpfix', 'config.json');
}

/** Environment first (RDPFIX_API_URL, RDPFIX_API_KEY), then the config file. */
export function resolveApiOptions(env: NodeJS.ProcessEnv = process.env): ApiClientOptions {
  let file: { apiUrl?: unknown; apiKey?: unknown } = {};
  const p = configFilePath(env);
  try {
    file = JSON.parse(readFileSync(p, 'utf8')) as typeof file;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigurationError(`cannot read ${p}: ${(err as Error).message}`);
  }
  const apiKey = env.RDPFIX_API_KEY || (typeof file.apiKey === 'string' ? file.apiKey : '');
  const baseUrl = env.RDPFIX_API_URL || (typeof file.apiUrl === 'string' ? file.apiUrl : 'http://127.0.0.1:3000');
  if (!apiKey) throw new ConfigurationError(`no API key: set RDPFIX_API_KEY or put "apiKey" in ${p}`);
  return { baseUrl: baseUrl.replace(/\/+$/, ''), apiKey };
}

export interface SseMessage {
  id?: string;
  event: string;
  data: any;
}

export class ApiClient {
  constructor(private readonly opts: ApiClientOptions) {}

  static fromEnvironment(): ApiClient {
    return new ApiClient(resolveApiOptions());
  }

  private url(p: string, query?: Record<string, string | undefined>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, v);
    const qs = q.toString();
    return `${this.opts.baseUrl}${p}${qs ? `?${qs}` : ''}`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.opts.apiKey}`, ...extra };
  }

  /** JSON in (or a form), JSON out; a non-2xx answer throws ApiError with the API's error body. */
  async request<T = any>(method: string, p: string, opts: { json?: unknown; form?: FormData; query?: Record<string, string | undefined>; headers?: Record<string, string> } = {}): Promise<T> {
    const res = await fetch(this.url(p, opts.query), {
      method,
      headers: this.headers({ ...(opts.json !== undefined ? { 'content-type': 'application/json' } : {}), ...(opts.headers ?? {}) }),
      body: opts.form ?? (opts.json !== undefined ? JSON.stringify(opts.json) : undefined),
    });
    const text = await res.text();
    let body: any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = { message: text.slice(0, 500) };
    }
    if (!res.ok) throw new ApiError(res.status, body);
    return body as T;
  }

  /** A streamed answer (reports), as a Node readable. */
  async download(p: string, query?: Record<string, string | undefined>): Promise<Readable> {
    const res = await fetch(this.url(p, query), { headers: this.headers() });
    if (!res.ok || !res.body) {
      let body: any = null;
      try {
        body = await res.json();
      } catch {
        /* not JSON */
      }
      throw new ApiError(res.status, body);
    }
    return Readable.fromWeb(res.body as import('stream/web').ReadableStream);
  }

  /**
   * Server-Sent Events, reconnecting with Last-Event-ID when the connection drops, until the
   * server sends `end` (which is yielded last).
   */
  async *events(p: string, extraHeaders: Record<string, string> = {}): AsyncGenerator<SseMessage> {
    let lastId: string | undefined;
    for (let failures = 0; ; ) {
      let res: Response;
      try {
        res = await fetch(this.url(p), { headers: this.headers({ accept: 'text/event-stream', ...extraHeaders, ...(lastId ? { 'last-event-id': lastId } : {}) }) });
      } catch (err) {
        if (++failures > 30) throw err;
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (!res.ok || !res.body) {
        let body: any = null;
        try {
          body = await res.json();
        } catch {
          /* not JSON */
        }
        throw new ApiError(res.status, body);
      }
      failures = 0;
      const decoder = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let idx: number;
          while ((idx = buf.search(/\r?\n\r?\n/)) >= 0) {
            const block = buf.slice(0, idx);
            buf = buf.slice(buf[idx] === '\r' ? idx + 4 : idx + 2);
            const msg = parseSseBlock(block);
            if (!msg) continue;
            if (msg.id) lastId = msg.id;
            yield msg;
            if (msg.event === 'end') return;
          }
        }
      } catch {
        /* dropped: reconnect below */
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export function parseSseBlock(block: string): SseMessage | null {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (!data.length) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.join('\n'));
  } catch {
    parsed = data.join('\n');
  }
  return { id, event, data: parsed };
}
