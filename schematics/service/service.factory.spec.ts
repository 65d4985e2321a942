import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SchematicTestRunner, UnitTestTree } from '@angular-devkit/schematics/testing';
import { Tree } from '@angular-devkit/schematics';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { createValidationPipe, loadServiceConfig } from '@herd/service';
import { formatSources } from '../utils/format-sources';

const COLLECTION = resolve(__dirname, '..', 'collection.json');
const REPO_ROOT = resolve(__dirname, '..', '..');
const TIMESTAMP = 1700000000000;

async function generate(name: string, seed?: (tree: Tree) => void): Promise<UnitTestTree> {
  const tree = Tree.empty();
  tree.create('package.json', JSON.stringify({ name: 'herd', scripts: { test: 'jest' } }));
  tree.create(
    'nest-cli.json',
    JSON.stringify({ monorepo: true, projects: { codec: { type: 'application' } } }),
  );
  seed?.(tree);
  const runner = new SchematicTestRunner('herd', COLLECTION);
  return runner.runSchematic('service', { name, migrationTimestamp: TIMESTAMP }, tree);
}

describe('service schematic', () => {
  it('generates exactly the files of a service and registers it in the monorepo', async () => {
    const tree = await generate('inventory');
    expect([...tree.files].sort()).toEqual(
      [
        '/apps/inventory/README.md',
        '/apps/inventory/src/inventory.constants.ts',
        '/apps/inventory/src/inventory.module.spec.ts',
        '/apps/inventory/src/inventory.module.ts',
        '/apps/inventory/src/items/dto/create-item.dto.ts',
        '/apps/inventory/src/items/item.entity.ts',
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

  it('refuses to overwrite an existing service', async () => {
    await expect(
      generate('codec', (tree) => tree.create('apps/codec/src/main.ts', '')),
    ).rejects.toThrow('apps/codec already exists');
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
