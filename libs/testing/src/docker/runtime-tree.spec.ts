import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { warmRuntimeTraceCache, writeRuntimeTree } from './runtime-tree';

const PACKAGE_SOURCE = `/*! pkg 1.0.0 | MIT License */
'use strict';
/**
 * Adds two numbers: a doc comment like the thousands TypeORM ships.
 */
function add(a, b) {
    // the sum
    return a + b;
}
module.exports = { add, source: add.toString().length > 0 };
`;
const APP_SOURCE = `// the app's own compiled file, left as emitted
const { add } = require('pkg');
module.exports = add(2, 3);
`;

describe('writeRuntimeTree', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'herd-runtime-tree-'));
    mkdirSync(join(root, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(
      join(root, 'node_modules', 'pkg', 'package.json'),
      '{"name":"pkg","main":"index.js"}',
    );
    writeFileSync(join(root, 'node_modules', 'pkg', 'index.js'), PACKAGE_SOURCE);
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', 'main.js'), APP_SOURCE);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("copies the packages' scripts without comments and whitespace, the license kept, the app's files as emitted", async () => {
    const out = join(root, 'runtime');
    const tree = await writeRuntimeTree('dist/main.js', out, root);
    const pkg = readFileSync(join(out, 'node_modules', 'pkg', 'index.js'), 'utf8');
    expect(pkg).not.toContain('doc comment');
    expect(pkg).not.toContain('the sum');
    expect(pkg).toContain('pkg 1.0.0 | MIT License');
    expect(pkg.length).toBeLessThan(PACKAGE_SOURCE.length * 0.6);
    expect(readFileSync(join(out, 'dist', 'main.js'), 'utf8')).toBe(APP_SOURCE);
    expect(tree.packages).toEqual(['pkg']);
    expect(tree.minifiedBytes).toBeLessThan(tree.bytes);
    // The code itself is unchanged: the stripped tree runs as the original does.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require(join(out, 'dist', 'main.js'))).toBe(5);
  });

  it('reuses a warmed trace cache: the same tree, the packages neither parsed nor stripped again', async () => {
    writeFileSync(join(root, 'package.json'), '{"dependencies":{"pkg":"1.0.0"}}');
    const cache = join(root, 'trace-cache');
    expect(await warmRuntimeTraceCache(cache, root)).toBeGreaterThan(0);
    const pkgFile = (tree: string) => join(tree, 'node_modules', 'pkg', 'index.js');
    const plain = join(root, 'plain');
    const cached = join(root, 'cached');
    await writeRuntimeTree('dist/main.js', plain, root);
    await writeRuntimeTree('dist/main.js', cached, root, cache);
    expect(readFileSync(pkgFile(cached), 'utf8')).toBe(readFileSync(pkgFile(plain), 'utf8'));
    // The package changed behind the cache's back (it cannot, in a build: the cache sits in the
    // layer of the install) is still read from the cache: nothing of it was analysed again.
    writeFileSync(join(root, 'node_modules', 'pkg', 'extra.js'), 'module.exports = 1;\n');
    writeFileSync(
      join(root, 'node_modules', 'pkg', 'index.js'),
      `${PACKAGE_SOURCE}require('./extra');\n`,
    );
    const again = join(root, 'again');
    await writeRuntimeTree('dist/main.js', again, root, cache);
    expect(existsSync(join(again, 'node_modules', 'pkg', 'extra.js'))).toBe(false);
    expect(readFileSync(pkgFile(again), 'utf8')).toBe(readFileSync(pkgFile(plain), 'utf8'));
  });
});
