import net from 'net';

export interface RawRequest {
  method: string;
  /** Sent as is (already percent-encoded where wanted). */
  path: string;
  /** In order; duplicates allowed. Content-Length is added from the body unless `chunked`. */
  headers: [string, string][];
  body?: Buffer;
  /** Send the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * HTTP/1.1 over a plain socket, one request per connection: unlike fetch, it sends any bytes a
 * hostile client could (NUL and non-ASCII in headers and paths, duplicate headers, odd framing).
 */
export function sendRaw(base: URL, req: RawRequest, timeoutMs = 20_000): Promise<RawResponse> {
  const head: string[] = [`${req.method} ${req.path} HTTP/1.1`, `Host: ${base.host}`, 'Connection: close'];
  for (const [k, v] of req.headers) head.push(`${k}: ${v}`);
  let payload = req.body ?? Buffer.alloc(0);
  if (req.body !== undefined) {
    if (req.chunked) {
      head.push('Transfer-Encoding: chunked');
      payload = Buffer.concat([Buffer.from(`${req.body.length.toString(16)}\r\n`), req.body, Buffer.from('\r\n0\r\n\r\n')]);
    } else head.push(`Content-Length: ${req.body.length}`);
  }
  const bytes = Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8'), payload]);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // write, not end: a half-closed socket makes Node's server abort a request still in progress.
    const s = net.connect(Number(base.port), base.hostname, () => s.write(bytes));
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', (err: NodeJS.ErrnoException) => {
      // The server may answer and close before reading the whole request: keep what it said.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return;
      clearTimeout(timer);
      reject(err);
    });
    s.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    });
  });
}

function parseResponse(raw: Buffer): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no HTTP response (${raw.length} bytes): ${raw.toString('latin1').slice(0, 200)}`);
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) throw new Error(`bad status line: ${lines[0]}`);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers['transfer-encoding']?.includes('chunked')) body = dechunk(body);
  else if (headers['content-length']) body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(m[1]), headers, body };
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i < b.length) {
    const eol = b.indexOf('\r\n', i);
    if (eol < 0) break;
    const size = parseInt(b.subarray(i, eol).toString('latin1'), 16);
    if (!size) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
