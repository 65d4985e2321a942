import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { infraUp } from './infra';
import { herdInfraEnv } from './infra-env';
import { silentProgress } from './progress';

describe('.herd/infra.env after `up` of a subset (real servers)', () => {
  it("keeps every running server's line, drops the line of one that no longer answers", async () => {
    const real = herdInfraEnv();
    const stateDir = mkdtempSync(join(tmpdir(), 'herd-env-'));
    try {
      const envFile = join(stateDir, 'infra.env');
      writeFileSync(
        envFile,
        `HERD_POSTGRES_URL=${real.postgresUrl}\nHERD_KAFKA_BROKERS=127.0.0.1:1\n`,
      );
      // `up consul` against the running agent (given as an existing server: nothing is started).
      await infraUp({
        only: ['consul'],
        progress: silentProgress,
        env: { HERD_STATE_DIR: stateDir, HERD_CONSUL_URL: real.consulUrl },
      });
      const lines = readFileSync(envFile, 'utf8').split('\n');
      expect(lines).toContain(`HERD_POSTGRES_URL=${real.postgresUrl}`);
      expect(lines).toContain(`HERD_CONSUL_URL=${real.consulUrl}`);
      expect(lines.filter((line) => line.startsWith('HERD_KAFKA_BROKERS'))).toEqual([]);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);
});
