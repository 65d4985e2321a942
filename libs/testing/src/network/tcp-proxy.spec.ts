import { createServer, connect, type Server } from 'node:net';
import { TcpProxy } from './tcp-proxy';

function echoServer(): Promise<Server> {
  const server = createServer((socket) => socket.pipe(socket));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', reject);
  });
}

describe('TcpProxy', () => {
  it('forwards, refuses and resets while cut, and forwards again on the same port', async () => {
    const echo = await echoServer();
    const address = echo.address();
    const proxy = new TcpProxy(
      '127.0.0.1',
      typeof address === 'object' && address ? address.port : 0,
    );
    try {
      const port = await proxy.start();
      expect(await roundTrip(port, 'baa')).toBe('baa');

      const open = connect(port, '127.0.0.1');
      await new Promise((resolve) => open.once('connect', resolve));
      const closed = new Promise((resolve) => open.once('close', resolve));
      await proxy.cut();
      await closed;
      expect(proxy.isOpen).toBe(false);
      await expect(roundTrip(port, 'baa')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      expect(await proxy.restore()).toBe(port);
      expect(await roundTrip(port, 'baa again')).toBe('baa again');
    } finally {
      await proxy.close();
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});
