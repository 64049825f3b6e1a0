import net from 'net';

/**
 * A TCP endpoint a test controls: in `hang` mode it accepts every connection and never answers
 * (the failure a timeout must bound); in `forward` mode it pipes connections to a real server.
 */
export class SwitchableEndpoint {
  mode: 'hang' | 'forward' | 'refuse' = 'hang';
  /** Connections accepted in hang mode (each is one channel call that had to time out). */
  hungConnections = 0;
  forwardedConnections = 0;
  private readonly sockets = new Set<net.Socket>();
  private server!: net.Server;
  url!: string;

  private constructor(private readonly target: { host: string; port: number }) {}

  /** Points the endpoint at another server (e.g. one started after it). */
  retarget(url: string): void {
    const u = new URL(url);
    this.target.host = u.hostname;
    this.target.port = Number(u.port);
  }

  /** Cuts the dependency: every open connection is dropped and new ones are refused. */
  cut(): void {
    this.mode = 'refuse';
    for (const s of this.sockets) s.destroy();
  }

  static async start(targetUrl: string, mode: SwitchableEndpoint['mode'] = 'hang'): Promise<SwitchableEndpoint> {
    const u = new URL(targetUrl);
    const e = new SwitchableEndpoint({ host: u.hostname, port: Number(u.port) });
    e.mode = mode;
    e.server = net.createServer((socket) => e.accept(socket));
    await new Promise<void>((resolve) => e.server.listen(0, '127.0.0.1', resolve));
    e.url = `http://127.0.0.1:${(e.server.address() as net.AddressInfo).port}`;
    return e;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    if (this.mode === 'refuse') {
      socket.destroy();
      return;
    }
    if (this.mode === 'hang') {
      this.hungConnections++;
      socket.resume(); // read and drop whatever the client sends; never answer
      return;
    }
    this.forwardedConnections++;
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
