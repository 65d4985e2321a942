import { INestApplication, Logger } from '@nestjs/common';
import Consul from 'consul';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DemoController } from '../fixtures/demo.controller';
import { HealthModule, useHerdLogger } from '../index';

const SECRETS = [
  's3cr3t-bearer',
  'sess10n-cookie',
  'hunter2',
  'qu3ry-t0ken',
  'api-s3cret',
  'pgpass',
];

describe('JSON logs (nestjs-pino through HealthModule)', () => {
  let app: INestApplication;
  const lines: string[] = [];

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        HealthModule.forRoot({
          service: 'courseware',
          version: '2.0.1',
          instanceId: 'courseware-7',
          shutdown: { graceMs: 0 },
          logging: { level: 'info', destination: { write: (line) => lines.push(line) } },
        }),
      ],
      controllers: [DemoController],
    }).compile();
    app = moduleRef.createNestApplication({ bufferLogs: true });
    useHerdLogger(app);
    await app.init();
  });

  afterAll(() => app.close());

  const requestIdOf = (record: Record<string, unknown>): unknown =>
    (record.req as { id?: unknown } | undefined)?.id;
  const records = (): Array<Record<string, unknown>> =>
    lines.flatMap((line) => line.split('\n').filter(Boolean)).map((line) => JSON.parse(line));

  it('writes one JSON object per line with service, instance, version, request, saga and trace ids', async () => {
    const response = await request(app.getHttpServer())
      .post('/items?token=qu3ry-t0ken&page=2')
      .set('x-request-id', 'req-123')
      .set('x-saga-id', 'saga-42')
      .set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
      .set('authorization', 'Bearer s3cr3t-bearer')
      .set('cookie', 'session=sess10n-cookie')
      .send({
        name: 'intro to sheep',
        password: 'hunter2',
        nested: { apiToken: 'api-s3cret', clientSecret: 'api-s3cret' },
        databaseUrl: 'postgres://herd:pgpass@127.0.0.1:5432/herd',
      })
      .expect(201);
    expect(response.headers['x-request-id']).toBe('req-123');

    const mine = records().filter((record) => requestIdOf(record) === 'req-123');
    const app_ = mine.find((record) => record.msg === 'creating item');
    const completed = mine.find((record) => record.msg === 'request completed');
    expect(app_).toMatchObject({
      level: 'info',
      service: 'courseware',
      instance: 'courseware-7',
      version: '2.0.1',
      context: 'DemoController',
      sagaId: 'saga-42',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      body: {
        name: 'intro to sheep',
        password: '[REDACTED]',
        nested: { apiToken: '[REDACTED]', clientSecret: '[REDACTED]' },
        databaseUrl: 'postgres://herd:[REDACTED]@127.0.0.1:5432/herd',
      },
    });
    expect(typeof app_?.time).toBe('string');
    expect(mine.find((record) => String(record.msg).startsWith('connecting to'))?.msg).toBe(
      'connecting to postgres://herd:[REDACTED]@127.0.0.1:5432/herd',
    );
    expect(completed).toMatchObject({
      sagaId: 'saga-42',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      req: {
        method: 'POST',
        url: '/items?token=[REDACTED]&page=2',
        headers: { authorization: '[REDACTED]', cookie: '[REDACTED]' },
      },
      res: { statusCode: 201 },
    });
    const raw = lines.join('');
    for (const secret of SECRETS) expect(raw).not.toContain(secret);
  });

  it('mints a request id when the caller sends none or a malformed one', async () => {
    const response = await request(app.getHttpServer())
      .get('/items/1')
      .set('x-request-id', 'bad id with spaces {}')
      .expect(200);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const completed = records().find(
      (record) => requestIdOf(record) === id && record.msg === 'request completed',
    );
    expect(completed).toMatchObject({ service: 'courseware', res: { statusCode: 200 } });
    expect(completed).not.toHaveProperty('sagaId');
  });

  it('prints neither the password of a DTO instance, nor of a URL, nor the token of a thrown Consul error', async () => {
    class SignupDto {
      name = 'dolly';
      password = 'dt0-pa55word';
    }
    // A Consul agent that refuses like a default-deny ACL agent does; the client is the real one.
    const agent = createServer((_req, res) => res.writeHead(403).end('ACL not found'));
    agent.listen(0, '127.0.0.1');
    await once(agent, 'listening');
    const consul = new Consul({
      host: '127.0.0.1',
      port: (agent.address() as AddressInfo).port,
      defaults: { token: 'c0nsul-t0ken' },
    });
    const err = await consul.agent.service.list().catch((error: Error) => error);
    agent.close();
    expect(err).toBeInstanceOf(Error);
    const before = lines.length;
    const logger = new Logger('Signup');
    logger.log({ msg: 'signup', body: new SignupDto(), cache: 'redis://:ur1-pa55@cache:6379' });
    logger.error({ msg: 'consul refused', err });

    const written = lines.slice(before).join('');
    expect(written).toContain('"password":"[REDACTED]"');
    expect(written).toContain('redis://:[REDACTED]@cache:6379');
    expect(written).toContain('"msg":"consul refused"');
    for (const secret of ['dt0-pa55word', 'ur1-pa55', 'c0nsul-t0ken']) {
      expect(written).not.toContain(secret);
    }
  });

  it('keeps health probes out of the info stream', async () => {
    const before = lines.length;
    await request(app.getHttpServer()).get('/health/ready').expect(200);
    await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(lines.length).toBe(before);
  });
});
