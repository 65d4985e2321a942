import { Test } from '@nestjs/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { HealthModule } from '../index';

const DASHBOARD = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'docker',
  'grafana',
  'herd-dashboard.json',
);

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ refId: string; expr: string }>;
}

describe('docker/grafana/herd-dashboard.json', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    uid: string;
    panels: Panel[];
    templating: { list: Array<{ name: string }> };
  };
  const queries = dashboard.panels.flatMap((panel) => panel.targets ?? []).map((t) => t.expr);
  const referenced = new Set(
    queries
      .flatMap((expr) => expr.match(/\b(?:herd|process|nodejs)_[a-z0-9_]+/g) ?? [])
      .map((name) => name.replace(/_(bucket|count|sum)$/, '')),
  );

  it('is an importable Grafana dashboard with a Prometheus datasource variable', () => {
    expect(dashboard.uid).toBe('herd-overview');
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'service', 'job']);
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.targets?.length).toBeGreaterThan(0);
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    }
  });

  it('queries only metrics that /metrics really serves (other libs: their herd_saga_/herd_registry_ families)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        HealthModule.forRoot({
          service: 'dash',
          readiness: [async () => ({ pasture: { status: 'up' as const } })],
          shutdown: { graceMs: 0 },
          logging: { level: 'silent' },
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication();
    await app.init();
    try {
      await request(app.getHttpServer()).get('/health/ready').expect(200);
      const text = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
      const served = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
      const ours = [...referenced].filter((name) => !/^herd_(saga|registry)_/.test(name));
      expect(ours.filter((name) => !served.has(name))).toEqual([]);
      expect(ours).toEqual(
        expect.arrayContaining([
          'herd_http_request_duration_seconds',
          'herd_http_requests_in_flight',
          'herd_build_info',
          'herd_health_indicator_up',
        ]),
      );
    } finally {
      await app.close();
    }
  });
});
