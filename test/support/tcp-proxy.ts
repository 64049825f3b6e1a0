import net from 'net';

/**
 * A TCP proxy a test puts in front of PostgreSQL or Redis and then cuts and restores, so an
 * outage is injected without touching the machine's shared services (issue 8).
 *
 * - cut(): every open connection is destroyed and new ones are refused (closed at once), as when
 *   the server or the network goes away;
 * - stall(): connections stay open but nothing passes (a hung server);
 * - restore(): traffic flows again (after a cut, clients reconnect on their own);
 * - stop(): closes everything.
 */
export class TcpProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private down = false;
  private stalled = false;
  /** Connections accepted (for tests that want to see clients reconnect). */
  accepted = 0;
  /** Cut when a client sends this text (one time), and when it happened. */
  private cutOn: { text: string; at?: number } | null = null;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static async start(targetUrl: string): Promise<TcpProxy> {
    const u = new URL(targetUrl);
    const p = new TcpProxy(u.hostname, Number(u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)));
    await p.listen();
    return p;
  }

  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  get isCut(): boolean {
    return this.down;
  }

  private listen(): Promise<void> {
    this.server = net.createServer((client) => this.accept(client));
    return new Promise((resolve) =>
      this.server!.listen(0, '127.0.0.1', () => {
        this.port = (this.server!.address() as net.AddressInfo).port;
        resolve();
      }),
    );
  }

  private accept(client: net.Socket): void {
    if (this.down) {
      client.destroy();
      return;
    }
    this.accepted++;
    const upstream = net.connect(this.targetPort, this.targetHost);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (this.cutOn && this.cutOn.at === undefined && chunk.toString('latin1').includes(this.cutOn.text)) {
        this.cutOn.at = Date.now();
        this.cut();
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
    if (this.stalled) for (const s of [client, upstream]) s.pause();
  }

  /**
   * Cuts (as cut()) at the moment a client sends `text`, before the server sees it: a fault at an
   * exact point of a protocol, not at a time on the clock. Armed for one cut.
   */
  cutWhenSent(text: string): void {
    this.cutOn = { text };
  }

  /** When the armed cut happened (undefined: not yet). */
  get cutWhenSentAt(): number | undefined {
    return this.cutOn?.at;
  }

  /** Connections stay open but nothing goes through: a server that hangs. */
  stall(): void {
    this.stalled = true;
    for (const s of this.sockets) s.pause();
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.down = false;
    this.stalled = false;
    for (const s of this.sockets) s.resume();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
