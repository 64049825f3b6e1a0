import http from 'http';

export interface SseEvent {
  id?: string;
  event: string;
  data: any;
  at: number;
}

/**
 * A minimal EventSource-like reader over node:http that records messages, comments and the
 * `retry` field, and says when the server closed the stream. No reconnects: tests drive those.
 */
export class SseClient {
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry?: number;
  /** Parsed JSON body of a non-stream (error) response. */
  body: any;
  closedByServer = false;
  readonly closed: Promise<void>;
  private req!: http.ClientRequest;
  private resolveClosed!: () => void;

  private constructor() {
    this.closed = new Promise((r) => (this.resolveClosed = r));
  }

  /** Resolves once the response headers (and, for errors, the body) are in. */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const c = new SseClient();
    return new Promise((resolve, reject) => {
      c.req = http.get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        c.status = res.statusCode ?? 0;
        c.headers = res.headers;
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          let idx: number;
          while ((idx = buf.search(/\r?\n\r?\n/)) >= 0) {
            const block = buf.slice(0, idx);
            buf = buf.slice(buf[idx] === '\r' ? idx + 4 : idx + 2);
            c.parseBlock(block);
          }
        });
        res.on('end', () => {
          if (!String(res.headers['content-type']).startsWith('text/event-stream')) c.body = buf ? JSON.parse(buf) : null;
          c.closedByServer = true;
          c.resolveClosed();
          if (c.status !== 200) resolve(c);
        });
        res.on('close', () => c.resolveClosed());
        if (c.status === 200) resolve(c);
      });
      c.req.on('error', (err) => {
        c.resolveClosed();
        if (!c.status) reject(err);
      });
    });
  }

  private parseBlock(block: string): void {
    const msg: { id?: string; event?: string; data: string[] } = { data: [] };
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'id') msg.id = value;
      else if (field === 'event') msg.event = value;
      else if (field === 'data') msg.data.push(value);
      else if (field === 'retry') this.retry = Number(value);
    }
    if (msg.data.length) this.events.push({ id: msg.id, event: msg.event ?? 'message', data: JSON.parse(msg.data.join('\n')), at: Date.now() });
  }

  async waitFor(pred: (c: SseClient) => boolean, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!pred(this)) {
      if (Date.now() > until) throw new Error(`SSE condition not met; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async ended(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`stream did not end; got ${JSON.stringify(this.events.map((e) => e.event))}`)), timeoutMs);
    });
    try {
      await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.req.destroy();
  }
}
