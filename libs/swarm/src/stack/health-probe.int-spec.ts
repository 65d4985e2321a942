import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { defineServiceManifest } from '@herd/manifest';
import { eventually, resolveInfraPaths, resolveNodeBaseImage, silentProgress } from '@herd/testing';
import { buildServiceSpec } from './build-service-spec';

const run = promisify(execFile);

/**
 * A stand-in service in the runtime base image: it writes its port file once listening (as a
 * task with PORT=0 does) and answers readiness and liveness with the status in /tmp/ready and
 * /tmp/live, which the test sets.
 */
const STAND_IN = `
const fs = require('fs');
const status = (name) => Number(fs.readFileSync('/tmp/' + name, 'utf8'));
fs.writeFileSync('/tmp/ready', '503');
fs.writeFileSync('/tmp/live', '200');
const server = require('http').createServer((req, res) => {
  res.writeHead(req.url === '/health/ready' ? status('ready') : status('live'));
  res.end();
});
server.listen(0, '127.0.0.1', () => {
  setTimeout(() => fs.writeFileSync('/tmp/.herd-port', String(server.address().port)), 1000);
});
`;

/**
 * The task health check the spec builder writes, run as Docker runs it (in the container, by
 * exec) in the image every service is built on: not healthy before the port file exists or while
 * readiness is 503; healthy once readiness answered 200; from then on only liveness counts.
 */
describe('the swarm task health check in a real container', () => {
  const name = `herdtest-probe-${randomUUID().slice(0, 8)}`;
  const manifest = defineServiceManifest({
    name: 'probe',
    version: '1.0.0',
    ports: [{ name: 'http', containerPort: 3000 }],
  });
  const check = buildServiceSpec(manifest, {}).TaskTemplate.ContainerSpec.Healthcheck?.Test ?? [];
  const probe = async (): Promise<number> => {
    try {
      await run('docker', ['exec', name, ...check.slice(1)]);
      return 0;
    } catch (error) {
      return (error as { code: number }).code;
    }
  };
  const answer = (endpoint: 'ready' | 'live', status: number) =>
    run('docker', ['exec', name, 'sh', '-c', `echo ${status} > /tmp/${endpoint}`]);

  beforeAll(async () => {
    const image = await resolveNodeBaseImage({
      paths: resolveInfraPaths(),
      progress: silentProgress,
    });
    await run('docker', ['run', '-d', '--rm', '--name', name, image, 'node', '-e', STAND_IN]);
  }, 300_000);

  afterAll(() => run('docker', ['rm', '-f', name]).catch(() => undefined));

  it('is unhealthy until the port file exists and readiness answers, then follows liveness only', async () => {
    expect(check[0]).toBe('CMD');
    // The port file is written a second after start: no port yet, not healthy yet.
    expect(await probe()).toBe(1);
    await eventually('the stand-in listening', () =>
      run('docker', ['exec', name, 'test', '-s', '/tmp/.herd-port']).then(() => true),
    );
    expect(await probe()).toBe(1); // readiness 503
    await answer('ready', 200);
    expect(await probe()).toBe(0);
    // Ready once: a dip of readiness (Kafka away) does not get the task killed...
    await answer('ready', 503);
    expect(await probe()).toBe(0);
    // ...failing liveness does.
    await answer('live', 500);
    expect(await probe()).toBe(1);
    await answer('live', 200);
    expect(await probe()).toBe(0);
  }, 60_000);
});
