import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { loadServiceConfig } from './config/service-config';
import { startService } from './start-service';

@Controller('probe')
class ProbeController {
  @Get()
  probe(): string {
    return 'here';
  }
}

// startService routes Nest's logs to the JSON logger @herd/health provides: a silent one here.
@Module({
  imports: [LoggerModule.forRoot({ pinoHttp: { level: 'silent' } })],
  controllers: [ProbeController],
})
class ProbeModule {}

describe('startService', () => {
  it('with PORT=0 writes the port it really listens on to HERD_PORT_FILE (a Swarm health check reads it)', async () => {
    const portFile = join(mkdtempSync(join(tmpdir(), 'herd-port-')), 'port');
    const config = loadServiceConfig(
      { name: 'probe', version: '1.0.0', port: 3999 },
      { PORT: '0', HOST: '127.0.0.1', HERD_PORT_FILE: portFile },
    );
    const app = await startService(ProbeModule, config);
    try {
      const port = Number(readFileSync(portFile, 'utf8'));
      expect(port).toBe((app.getHttpServer().address() as AddressInfo).port);
      expect(port).not.toBe(3999);
      const answer = await fetch(`http://127.0.0.1:${port}/probe`);
      expect(await answer.text()).toBe('here');
    } finally {
      await app.close();
    }
  });
});
