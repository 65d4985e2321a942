import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SchematicTestRunner, UnitTestTree } from '@angular-devkit/schematics/testing';
import { Tree } from '@angular-devkit/schematics';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { validateAppDefinition, validateGroupDefinition } from '@herd/marathon';
import { createValidationPipe, loadServiceConfig } from '@herd/service';
import { formatSources } from '../utils/format-sources';

const COLLECTION = resolve(__dirname, '..', 'collection.json');
const REPO_ROOT = resolve(__dirname, '..', '..');
const TIMESTAMP = 1700000000000;

async function generate(
  name: string,
  seed?: (tree: Tree) => void,
  options: { port?: number } = {},
): Promise<UnitTestTree> {
  const tree = Tree.empty();
  tree.create(
    'package.json',
    JSON.stringify({ name: 'herd', version: '0.1.0', scripts: { test: 'jest' } }),
  );
  tree.create(
    'nest-cli.json',
    JSON.stringify({
      monorepo: true,
      projects: {
        codec: { type: 'application', root: 'apps/codec' },
        database: { type: 'library', root: 'libs/database' },
      },
    }),
  );
  seed?.(tree);
  const runner = new SchematicTestRunner('herd', COLLECTION);
  return runner.runSchematic('service', { name, migrationTimestamp: TIMESTAMP, ...options }, tree);
}

describe('service schematic', () => {
  it('generates exactly the files of a service and registers it in the monorepo', async () => {
    const tree = await generate('inventory');
    expect([...tree.files].sort()).toEqual(
      [
        '/apps/inventory/README.md',
        '/apps/inventory/src/inventory.constants.ts',
        '/apps/inventory/src/inventory.int-spec.ts',
        '/apps/inventory/src/inventory.manifest.ts',
        '/apps/inventory/src/inventory.module.spec.ts',
        '/apps/inventory/src/inventory.module.ts',
        '/apps/inventory/src/items/dto/create-item.dto.ts',
        '/apps/inventory/src/items/item.entity.ts',
        '/apps/inventory/src/items/items.handler.ts',
        '/apps/inventory/src/items/items.controller.ts',
        '/apps/inventory/src/main.ts',
        `/apps/inventory/src/migrations/${TIMESTAMP}-inventory-schema.ts`,
        '/apps/inventory/tsconfig.app.json',
        '/nest-cli.json',
        '/package.json',
      ].sort(),
    );
    expect(JSON.parse(tree.readContent('/nest-cli.json')).projects).toMatchObject({
      codec: { type: 'application' },
      inventory: { type: 'application', root: 'apps/inventory', sourceRoot: 'apps/inventory/src' },
    });
    expect(JSON.parse(tree.readContent('/package.json')).scripts['start:inventory']).toContain(
      'apps/inventory/src/main.ts',
    );
    expect(tree.readContent('/apps/inventory/src/inventory.constants.ts')).toContain(
      'export const INVENTORY_DEFAULT_PORT = 3100;',
    );
  });

  it('writes code that already follows the repository Prettier settings', async () => {
    const tree = await generate('course-catalog-with-a-long-name');
    const generated = Object.fromEntries(
      tree.files
        .filter((file) => file.endsWith('.ts'))
        .map((file) => [file, tree.readContent(file)]),
    );
    expect(Object.keys(generated).length).toBeGreaterThan(5);
    expect(formatSources(generated, REPO_ROOT)).toEqual(generated);
  });

  it.each(['Inventory', 'in_ventory', '9lives', 'demo'])('refuses the name %s', async (name) => {
    await expect(generate(name)).rejects.toThrow(/not a usable service name|must match pattern/);
  });

  it('refuses to overwrite an existing service folder', async () => {
    await expect(
      generate('stable', (tree) => tree.create('apps/stable/src/main.ts', '')),
    ).rejects.toThrow('apps/stable already exists');
  });

  it.each([
    ['codec', 'the application "codec" in nest-cli.json (apps/codec)'],
    ['database', 'the library "database" in nest-cli.json (libs/database)'],
  ])('refuses %s, a project of nest-cli.json, naming it', async (name, what) => {
    await expect(generate(name)).rejects.toThrow(`"${name}" is already ${what}: pick another`);
  });

  it('refuses the name of a library folder not listed in nest-cli.json', async () => {
    await expect(
      generate('metrics', (tree) => tree.create('libs/metrics/src/index.ts', '')),
    ).rejects.toThrow('"metrics" is the library libs/metrics (@herd/metrics)');
  });

  it('takes the first port no service uses, and refuses a taken one', async () => {
    const seed = (tree: Tree) => {
      tree.create('apps/stock/src/stock.constants.ts', 'export const STOCK_DEFAULT_PORT = 3100;\n');
      tree.create(
        'docker/images.json',
        JSON.stringify({ codec: { port: 3101, systemPackages: [] } }),
      );
    };
    const tree = await generate('orders', seed);
    expect(tree.readContent('/apps/orders/src/orders.constants.ts')).toContain(
      'export const ORDERS_DEFAULT_PORT = 3102;',
    );
    expect(JSON.parse(tree.readContent('/docker/images.json'))).toEqual({
      codec: { port: 3101, systemPackages: [] },
      orders: { port: 3102, systemPackages: [] },
    });
    await expect(generate('orders', seed, { port: 3101 })).rejects.toThrow(
      "port 3101 is codec's: pick another --port",
    );
  });

  it('adds it to the Swarm stack through @herd/swarm', async () => {
    const repoFile = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
    const tree = await generate('orders', (t) => {
      t.create('docker/swarm/herd.stack.yml', repoFile('docker/swarm/herd.stack.yml'));
    });
    const stack = tree.readContent('/docker/swarm/herd.stack.yml');
    expect(stack.startsWith(repoFile('docker/swarm/herd.stack.yml').split('version:')[0])).toBe(
      true,
    );
    expect(stack).toMatch(/^ {2}orders:$/m);
    expect(stack).toContain(`image: "herd/orders:0.1.0"`);
  });

  it('adds its manifest to the herd CLI and renders its Marathon definition through @herd/marathon', async () => {
    const definitions = readFileSync(join(REPO_ROOT, 'apps/cli/src/herd-definitions.ts'), 'utf8');
    const tree = await generate('orders', (t) =>
      t.create('apps/cli/src/herd-definitions.ts', definitions),
    );
    expect(tree.readContent('/apps/cli/src/herd-definitions.ts')).toContain(
      "import { ordersManifest } from '../../orders/src/orders.manifest';",
    );
    expect(tree.readContent('/apps/cli/src/herd-definitions.ts')).toMatch(
      /HERD_MANIFESTS: readonly ServiceManifest\[\] = \[[^\]]*ordersManifest,?\s*\]/,
    );
    const app = JSON.parse(tree.readContent('/docker/marathon/orders.json')) as {
      id: string;
      container: { docker: { image: string } };
    };
    expect(validateAppDefinition(app)).toEqual([]);
    expect(app.container.docker.image).toMatch(/^herd\/orders:/);
    const group = JSON.parse(tree.readContent('/docker/marathon/herd-group.json')) as {
      apps: Array<{ id: string }>;
    };
    expect(validateGroupDefinition(group)).toEqual([]);
    expect(group.apps.map((a) => a.id)).toContain(app.id);
  });

  describe('the generated service', () => {
    const outDir = join(REPO_ROOT, '.herd', `generated-${process.pid}`);
    let app: INestApplication;

    beforeAll(async () => {
      const tree = await generate('stock');
      for (const file of tree.files.filter((f) => f.startsWith('/apps/stock/'))) {
        const target = join(outDir, file);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, tree.readContent(file));
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { StockModule } = require(join(outDir, 'apps/stock/src/stock.module.ts'));
      const config = loadServiceConfig({ name: 'stock', version: '0.0.0', port: 0 }, {});
      const moduleRef = await Test.createTestingModule({
        imports: [StockModule.forRoot(config, { logging: { level: 'silent' } })],
      }).compile();
      app = moduleRef.createNestApplication();
      app.useGlobalPipes(createValidationPipe());
      await app.init();
    });

    afterAll(async () => {
      await app?.close();
      rmSync(outDir, { recursive: true, force: true });
    });

    it('boots on embedded defaults and serves its resource, its health and its metrics', async () => {
      const created = await request(app.getHttpServer())
        .post('/items')
        .send({ name: 'hay' })
        .expect(201);
      await request(app.getHttpServer()).get(`/items/${created.body.id}`).expect(200);
      await request(app.getHttpServer()).post('/items').send({}).expect(400);
      await request(app.getHttpServer()).get('/health/live').expect(200);
      const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
      expect(metrics.text).toContain('herd_build_info{service="stock"');
    });
  });
});
