import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { RoundRobinBalancer } from '../balancing/round-robin.balancer';
import { NoHealthyInstanceError } from '../errors/no-healthy-instance.error';
import { ServiceRequestError } from '../errors/service-request.error';
import { ServiceResponseError } from '../errors/service-response.error';
import { InMemoryRegistryStore } from '../memory/in-memory-registry.store';
import { InMemoryServiceRegistry } from '../memory/in-memory-service-registry';
import { ServiceHttpClient } from './service-http-client';

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

  /** An instance whose port was just freed: connections are refused. */
  async function refusing(id: string): Promise<void> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    store.put({
      id,
      name: 'codec',
      address: '127.0.0.1',
      port,
      version: '1.0.0',
      tags: [],
      meta: {},
    });
  }

  const json =
    (status: number, body: unknown): Handler =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };

  const client = (retries = 2) =>
    new ServiceHttpClient('codec', registry, new RoundRobinBalancer(), {
      timeoutMs: 500,
      retries,
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 2, resetTimeoutMs: 60_000 },
    });

  beforeEach(() => {
    store = new InMemoryRegistryStore();
    registry = new InMemoryServiceRegistry(store);
    for (const key of Object.keys(hits)) delete hits[key];
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
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
    const response = await client().get('/x');
    expect(response.instance.id).toBe('codec-2');
  });

  it('gives up after retries + 1 attempts with every failure listed', async () => {
    for (const id of ['codec-1', 'codec-2', 'codec-3']) await instance(id, json(502, {}));
    const error = (await client(1)
      .get('/x')
      .catch((e: unknown) => e)) as ServiceRequestError;
    expect(error).toBeInstanceOf(ServiceRequestError);
    expect(error.retryable).toBe(true);
    expect(error.attempts.map((a) => a.reason)).toEqual(['answered 502', 'answered 502']);
  });

  it('propagates NoHealthyInstanceError when discovery has nothing', async () => {
    await expect(client().get('/x')).rejects.toBeInstanceOf(NoHealthyInstanceError);
  });
});
