import http from 'http';
import { AddressInfo } from 'net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  path: string;
}

/** What the receiver does with the n-th request (1-based): answer a status, or never answer. */
export type Behaviour = (n: number) => number | 'hang';

/** A webhook receiver on 127.0.0.1 that records every request it gets. */
export class Receiver {
  readonly requests: Received[] = [];
  private server!: http.Server;

  private constructor(private readonly behaviour: Behaviour) {}

  static async start(behaviour: Behaviour = () => 200): Promise<Receiver> {
    const r = new Receiver(behaviour);
    r.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        r.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), path: req.url ?? '' });
        const what = r.behaviour(r.requests.length);
        if (what === 'hang') return;
        res.writeHead(what, { 'content-type': 'text/plain' }).end(what < 300 ? 'ok' : 'nope');
      });
    });
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    return r;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
