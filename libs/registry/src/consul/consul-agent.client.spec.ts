import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { ConsulRequestError } from '../errors/consul-request.error';
import { ConsulUnavailableError } from '../errors/consul-unavailable.error';
import { ConsulAgentClient } from './consul-agent.client';

const TOKEN = 'acl-t0ken-never-logged';

/** An HTTP server answering every request with one status, like an agent refusing or failing. */
async function agentAnswering(status: number): Promise<{ server: Server; url: URL }> {
  const server = createServer((_req, res) => res.writeHead(status).end('ACL not found'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`) };
}

describe('ConsulAgentClient errors', () => {
  it.each([
    [403, ConsulRequestError],
    [500, ConsulUnavailableError],
  ])('a %i carries neither the response nor the X-Consul-Token header', async (status, type) => {
    const { server, url } = await agentAnswering(status);
    const client = new ConsulAgentClient({ url, token: TOKEN, requestTimeoutMs: 2000 });
    try {
      const error = await client.deregisterService('sheep-1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(/agent.service.deregister/);
      expect(inspect(error, { depth: null, showHidden: true })).not.toContain(TOKEN);
      expect(JSON.stringify(error)).not.toContain(TOKEN);
    } finally {
      client.close();
      server.close();
    }
  });
});
