import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo, connect, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { RoundRobinBalancer } from '../balancing/round-robin.balancer';
import { NoHealthyInstanceError } from '../errors/no-healthy-instance.error';
import { ServiceRequestError } from '../errors/service-request.error';
import { RegistryOptionsError } from '../errors/registry-options.error';
import { ServiceResponseBodyError } from '../errors/service-response-body.error';
import { ServiceResponseError } from '../errors/service-response.error';
import { validateRegistryOptions } from '../registry-options.validator';
import { ServiceClientFactory } from './service-client.factory';
import { InMemoryRegistryStore } from '../memory/in-memory-registry.store';
import { InMemoryServiceRegistry } from '../memory/in-memory-service-registry';
import { ServiceHttpClient, ServiceHttpClientOptions } from './service-http-client';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Local HTTP servers standing in for instances; the client under test talks real HTTP to them. */
describe('ServiceHttpClient', () => {
  const servers: Server[] = [];
  let store: InMemoryRegistryStore;
  let registry: InMemoryServiceRegistry;
  const hits: Record<string, number> = {};

  async function instance(id: string, handler: Handler, version = '1.0.0'): Promise<number> {
    const server = createServer((req, res) => {
      hits[id] = (hits[id] ?? 0) + 1;
      handler(req, res);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    store.put({
      id,
      name: 'codec',
      address: '127.0.0.1',
      port,
      version,
      tags: [],
      meta: { version },
    });
    return port;
  }

  /** A codec 1.0.0 instance in discovery at 127.0.0.1:`port`. */
  const register = (id: string, port: number, meta: Record<string, string> = {}) =>
    store.put({ id, name: 'codec', address: '127.0.0.1', port, version: '1.0.0', tags: [], meta });

  /** An instance whose port was just freed: connections are refused. */
  async function refusing(id: string): Promise<void> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    register(id, port);
  }

  /**
   * An instance whose listen backlog is full: the kernel drops new SYNs, so a connection hangs
   * as to a host that vanished. Perl (Debian's Essential perl-base) holds a socket that listens
   * and never accepts; one connection fills the queue.
   */
  const hanging: { process: ChildProcess; filler: Socket }[] = [];
  async function unreachable(id: string): Promise<void> {
    const child = spawn('perl', [
      '-MSocket',
      '-e',
      'socket(S,PF_INET,SOCK_STREAM,0) or die; bind(S, pack_sockaddr_in(0, inet_aton("127.0.0.1"))) or die;' +
        ' listen(S,0) or die; my ($port) = unpack_sockaddr_in(getsockname(S)); $|=1; print "$port\\n"; sleep 600;',
    ]);
    const port = await new Promise<number>((resolve) =>
      child.stdout.once('data', (data) => resolve(Number(String(data).trim()))),
    );
    const filler = connect(port, '127.0.0.1');
    await new Promise((resolve) => filler.once('connect', resolve));
    hanging.push({ process: child, filler });
    register(id, port);
  }

  const json =
    (status: number, body: unknown): Handler =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };

  const clients: ServiceHttpClient[] = [];
  const client = (
    overrides: Partial<Omit<ServiceHttpClientOptions, 'breaker'>> & {
      breaker?: Partial<ServiceHttpClientOptions['breaker']>;
    } = {},
  ) => {
    // Generous by default: a loaded 2-core machine may take a second to answer a first request.
    // The tests of timeouts set their own.
    const made = new ServiceHttpClient('codec', registry, new RoundRobinBalancer(), {
      timeoutMs: 10_000,
      connectTimeoutMs: 10_000,
      deadlineMs: 30_000,
      retries: 2,
      ...overrides,
      breaker: {
        errorThresholdPercentage: 50,
        volumeThreshold: 2,
        resetTimeoutMs: 60_000,
        ...overrides.breaker,
      },
    });
    clients.push(made);
    return made;
  };

  beforeEach(() => {
    store = new InMemoryRegistryStore();
    registry = new InMemoryServiceRegistry(store);
    for (const key of Object.keys(hits)) delete hits[key];
  });

  afterEach(async () => {
    for (const made of clients.splice(0)) made.close();
    for (const { process: child, filler } of hanging.splice(0)) {
      filler.destroy();
      child.kill();
    }
    await Promise.all(
      servers.splice(0).map((s) => {
        s.closeAllConnections?.();
        return new Promise((r) => s.close(r));
      }),
    );
  });

  it('parses JSON, sends JSON bodies, and says which instance answered', async () => {
    await instance('codec-1', (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () =>
        json(201, { got: JSON.parse(body), type: req.headers['content-type'] })(req, res),
      );
    });
    const response = await client().post<{ got: unknown; type: string }>('/jobs', { a: 1 });
    expect(response).toMatchObject({
      status: 201,
      body: { got: { a: 1 }, type: 'application/json' },
    });
    expect(response.instance.id).toBe('codec-1');
  });

  it('sends bytes as they are, with the content type the caller gives', async () => {
    await instance('codec-1', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        json(200, {
          bytes: [...Buffer.concat(chunks)],
          type: req.headers['content-type'],
          length: req.headers['content-length'],
        })(req, res),
      );
    });
    // Not valid UTF-8: a text round trip would change them.
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
    const response = await client().post('/upload', bytes, {
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(response.body).toEqual({
      bytes: [0xff, 0x00, 0xfe, 0x80],
      type: 'application/octet-stream',
      length: '4',
    });
  });

  it('retries an idempotent request on another instance after a 5xx', async () => {
    await instance('codec-1', json(503, { error: 'busy' }));
    await instance('codec-2', json(200, { ok: true }));
    const c = client();
    const response = await c.get('/x');
    expect(response.instance.id).toBe('codec-2');
  });

  it('does not resend a POST that may have reached an instance, but does when the connection was refused', async () => {
    await instance('codec-1', json(500, {}));
    await instance('codec-2', json(200, { ok: true }));
    const error = await client()
      .post('/x', {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceRequestError);
    expect((error as ServiceRequestError).attempts).toHaveLength(1);
    expect(hits['codec-2']).toBeUndefined();

    store.remove('codec-1');
    await refusing('codec-0');
    const response = await client().post('/x', {});
    expect(response.instance.id).toBe('codec-2');
  });

  it('resends a POST that carries an Idempotency-Key, as an idempotent request', async () => {
    await instance('codec-1', json(500, {}));
    await instance('codec-2', json(200, { ok: true }));
    const response = await client().post('/x', {}, { headers: { 'Idempotency-Key': 'k-1' } });
    expect(response.instance.id).toBe('codec-2');
    expect(hits['codec-1']).toBe(1);
  });

  it('returns 4xx as ServiceResponseError without retrying or charging the circuit', async () => {
    await instance('codec-1', json(404, { error: 'missing' }));
    await instance('codec-2', json(404, { error: 'missing' }));
    const c = client();
    for (let i = 0; i < 4; i += 1) {
      const error = await c.get('/missing').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceResponseError);
      expect((error as ServiceResponseError).status).toBe(404);
    }
    expect(hits['codec-1'] + hits['codec-2']).toBe(4);
    expect(c.isOpen('codec-1') || c.isOpen('codec-2')).toBe(false);
  });

  it('opens the circuit of an instance that keeps failing and stops sending to it', async () => {
    await refusing('codec-0');
    await instance('codec-1', json(200, { ok: true }));
    const c = client();
    for (let i = 0; i < 6; i += 1) expect((await c.get('/x')).instance.id).toBe('codec-1');
    expect(c.isOpen('codec-0')).toBe(true);
  });

  it('times out a slow instance and goes to the next one', async () => {
    await instance('codec-1', () => undefined);
    await instance('codec-2', json(200, { ok: true }));
    const response = await client({ timeoutMs: 500 }).get('/x');
    expect(response.instance.id).toBe('codec-2');
  });

  it('gives up after retries + 1 attempts with every failure listed', async () => {
    for (const id of ['codec-1', 'codec-2', 'codec-3']) await instance(id, json(502, {}));
    const error = (await client({ retries: 1 })
      .get('/x')
      .catch((e: unknown) => e)) as ServiceRequestError;
    expect(error).toBeInstanceOf(ServiceRequestError);
    expect(error.retryable).toBe(true);
    expect(error.attempts.map((a) => a.reason)).toEqual(['answered 502', 'answered 502']);
  });

  it('moves even a POST to another instance when the connection cannot be made in time', async () => {
    await unreachable('codec-0');
    await instance('codec-1', json(201, { ok: true }));
    const c = client({ timeoutMs: 10_000, connectTimeoutMs: 300, deadlineMs: 30_000, retries: 0 });
    const response = await c.post('/jobs', { a: 1 });
    expect(response.instance.id).toBe('codec-1');
    expect(hits['codec-1']).toBe(1);
  });

  it('ends a request at its overall deadline, whatever the attempt timeouts', async () => {
    await instance('codec-1', () => undefined);
    await instance('codec-2', () => undefined);
    const c = client({
      timeoutMs: 10_000,
      connectTimeoutMs: 1000,
      deadlineMs: 300,
      breaker: { volumeThreshold: 1 },
    });
    const error = (await c.get('/x').catch((e: unknown) => e)) as ServiceRequestError;
    expect(error).toBeInstanceOf(ServiceRequestError);
    expect(error.attempts.map((a) => a.reason)).toEqual(['deadline of 300 ms exceeded']);
    expect(c.isOpen('codec-1') || c.isOpen('codec-2')).toBe(false);
  });

  it("stops at once on the caller's AbortSignal, rejecting with its reason, charging no circuit", async () => {
    await instance('codec-1', () => undefined);
    const c = client({
      timeoutMs: 10_000,
      connectTimeoutMs: 1000,
      deadlineMs: 30_000,
      breaker: { errorThresholdPercentage: 1, volumeThreshold: 1 },
    });
    for (let i = 0; i < 3; i += 1) {
      const controller = new AbortController();
      const pending = c.get('/x', { signal: controller.signal }).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort(new Error(`user left ${i}`));
      expect(await pending).toEqual(new Error(`user left ${i}`));
    }
    expect(c.isOpen('codec-1')).toBe(false);
  });

  it('does not charge the circuit for a body it cannot read or parse', async () => {
    await instance('codec-1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"half":');
    });
    await instance('codec-2', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"cut":');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const c = client();
    for (let i = 0; i < 4; i += 1) {
      const error = await c.get('/x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceResponseBodyError);
    }
    expect(hits['codec-1']).toBe(2);
    expect(hits['codec-2']).toBe(2);
    expect(c.isOpen('codec-1') || c.isOpen('codec-2')).toBe(false);
  });

  it('calls https instances (Meta.scheme) with the TLS options given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herd-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const cert = readFileSync(join(dir, 'cert.pem'));
      const server = createHttpsServer(
        { key: readFileSync(join(dir, 'key.pem')), cert },
        (_req, res) => json(200, { secure: true })(_req, res),
      );
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      register('codec-tls', (server.address() as AddressInfo).port, { scheme: 'https' });
      const factory = new ServiceClientFactory(
        registry,
        validateRegistryOptions({
          backend: 'memory',
          service: { name: 'caller', version: '1.0.0' },
        }),
      );
      try {
        const c = factory.forService('codec', { tls: { ca: cert } });
        expect((await c.get('/x')).body).toEqual({ secure: true });
      } finally {
        factory.onApplicationShutdown();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("applies one target's own options over the module's, and names a bad one", async () => {
    for (const id of ['codec-1', 'codec-2', 'codec-3']) await instance(id, json(502, {}));
    const factory = new ServiceClientFactory(
      registry,
      validateRegistryOptions({ backend: 'memory', service: { name: 'caller', version: '1.0.0' } }),
    );
    try {
      const error = (await factory
        .forService('codec', { retries: 0 })
        .get('/x')
        .catch((e: unknown) => e)) as ServiceRequestError;
      expect(error.attempts).toHaveLength(1);
      expect(() => factory.forService('other', { retries: -1 })).toThrow(RegistryOptionsError);
      expect(() => factory.forService('other', { retries: -1 })).toThrow(
        /forFeature\(other\)\.client\.retries/,
      );
    } finally {
      factory.onApplicationShutdown();
    }
  });

  it('drops the circuit breakers of instances that left discovery', async () => {
    await instance('codec-1', json(200, {}));
    await instance('codec-2', json(200, {}));
    const c = client();
    await c.get('/x');
    await c.get('/x');
    expect(c.trackedInstances().sort()).toEqual(['codec-1', 'codec-2']);
    store.remove('codec-1');
    await c.get('/x');
    expect(c.trackedInstances()).toEqual(['codec-2']);
  });

  it('propagates NoHealthyInstanceError when discovery has nothing', async () => {
    await expect(client().get('/x')).rejects.toBeInstanceOf(NoHealthyInstanceError);
  });

  describe('stream', () => {
    /** Answers with the head and a first chunk, then holds the body open; says when the socket closes. */
    async function holding(id: string): Promise<{ closed: Promise<void> }> {
      let closed!: () => void;
      const result = { closed: new Promise<void>((resolve) => (closed = resolve)) };
      await instance(id, (req, res) => {
        req.socket.once('close', () => closed());
        res.writeHead(200, { 'content-type': 'video/mp4' });
        res.write('first');
      });
      return result;
    }

    it('moves past a refused connection and a 5xx, then hands over the head, range headers and body', async () => {
      await refusing('codec-1');
      await instance('codec-3', (req, res) => {
        res.writeHead(206, {
          'content-type': 'video/mp4',
          'content-range': `bytes 2-4/10`,
          'x-range-asked': String(req.headers.range),
        });
        res.end('234');
      });
      expect((await client().stream('/x')).instance.id).toBe('codec-3');
      store.remove('codec-1');
      await instance('codec-2', json(503, { error: 'busy' }));
      const response = await client().stream('/renditions/1.mp4', {
        headers: { range: 'bytes=2-4' },
      });
      expect(response.status).toBe(206);
      expect(response.instance.id).toBe('codec-3');
      expect(response.headers).toMatchObject({
        'content-type': 'video/mp4',
        'content-range': 'bytes 2-4/10',
        'x-range-asked': 'bytes=2-4',
      });
      expect(await text(response.body)).toBe('234');
      expect(hits).toEqual({ 'codec-2': 1, 'codec-3': 2 });
    });

    it('returns a 4xx as a response, without trying another instance', async () => {
      await instance('codec-1', (_req, res) => {
        res.writeHead(416, { 'content-range': 'bytes */10' });
        res.end();
      });
      await instance('codec-2', json(200, {}));
      const response = await client().stream('/renditions/1.mp4');
      expect(response.status).toBe(416);
      expect(response.headers['content-range']).toBe('bytes */10');
      await text(response.body);
      expect(hits).toEqual({ 'codec-1': 1 });
    });

    it('does not fail over once the head has arrived: a body cut short is an error of the body', async () => {
      await instance('codec-1', (_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('part', () => res.socket?.destroy());
      });
      await instance('codec-2', json(200, {}));
      const response = await client().stream('/x');
      expect(response.instance.id).toBe('codec-1');
      await expect(text(response.body)).rejects.toThrow();
      expect(hits).toEqual({ 'codec-1': 1 });
    });

    it('bounds the wait for the head with timeoutMs and the deadline, not the body', async () => {
      await instance('codec-1', (_req, res) => {
        res.writeHead(200);
        let sent = 0;
        const drip = setInterval(() => {
          sent += 1;
          res.write(String(sent));
          if (sent === 5) {
            clearInterval(drip);
            res.end();
          }
        }, 150);
      });
      const response = await client({ timeoutMs: 200, deadlineMs: 300 }).stream('/x');
      expect(await text(response.body)).toBe('12345');
    });

    it("destroys the body on the caller's signal and closes its connection", async () => {
      const { closed } = await holding('codec-1');
      const controller = new AbortController();
      const response = await client().stream('/x', { signal: controller.signal });
      const reading = text(response.body);
      controller.abort(new Error('viewer left'));
      await expect(reading).rejects.toThrow('viewer left');
      await closed;
    });

    it('closes the connection of a body the caller destroys', async () => {
      const { closed } = await holding('codec-1');
      const response = await client().stream('/x');
      response.body.destroy();
      await closed;
    });

    it("rejects with the caller's reason when it aborts before the head", async () => {
      await instance('codec-1', () => undefined);
      const controller = new AbortController();
      const pending = client().stream('/x', { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('gone')), 20);
      await expect(pending).rejects.toThrow('gone');
    });
  });
});
