import { EventEmitter } from 'events';
import net from 'net';

/**
 * A TCP proxy in front of the simulator that holds back the RESPONSE to a chosen request (e.g.
 * the SendCommand of one script) for `holdMs`: the request reaches the server and runs, while
 * the client sits mid-call. Emits 'holding' when it starts holding one. Not HTTP-parsing: it
 * matches the request bytes seen on the connection since the last response.
 */
export class DelayingProxy extends EventEmitter {
  holdMs = 0;
  /** Held responses so far. */
  held = 0;
  private server!: net.Server;
  private readonly sockets = new Set<net.Socket>();
  url!: string;

  private constructor(
    private readonly targetPort: number,
    private readonly matches: (requestText: string) => boolean,
  ) {
    super();
  }

  static async start(targetUrl: string, matches: (requestText: string) => boolean): Promise<DelayingProxy> {
    const p = new DelayingProxy(Number(new URL(targetUrl).port), matches);
    p.server = net.createServer((client) => p.accept(client));
    await new Promise<void>((r) => p.server.listen(0, '127.0.0.1', r));
    p.url = `http://127.0.0.1:${(p.server.address() as net.AddressInfo).port}`;
    return p;
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    let request = '';
    let holding = false;
    let queue: Buffer[] = [];
    client.on('data', (chunk) => {
      request = (request + chunk.toString('latin1')).slice(-200_000);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!holding && this.holdMs > 0 && this.matches(request)) {
        holding = true;
        this.held++;
        this.emit('holding');
        setTimeout(() => {
          holding = false;
          for (const c of queue) client.write(c);
          queue = [];
        }, this.holdMs).unref();
      }
      request = '';
      if (holding) queue.push(chunk);
      else client.write(chunk);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
