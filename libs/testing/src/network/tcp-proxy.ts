import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 to put between an app and a shared server, so a test can simulate
 * "server down" (cut: refuse new connections, reset open ones) and "server back" (restore)
 * without touching the server other suites use.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    /** Where to listen; default a free port chosen at the first start. */
    private listenPort = 0,
  ) {}

  get port(): number {
    return this.listenPort;
  }

  get isOpen(): boolean {
    return this.server !== undefined;
  }

  /** Starts listening (on a free port the first time, the same port after a cut). */
  async start(): Promise<number> {
    if (this.server) return this.listenPort;
    const server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') this.listenPort = address.port;
    this.server = server;
    return this.listenPort;
  }

  /** New connections are refused and open ones are reset, like a server that went away. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.sockets.forEach((socket) => socket.destroy());
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  restore(): Promise<number> {
    return this.start();
  }

  close(): Promise<void> {
    return this.cut();
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
