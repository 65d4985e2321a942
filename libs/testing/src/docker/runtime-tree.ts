import { copyFileSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { nodeFileTrace } from '@vercel/nft';

/**
 * Packages a production image must never carry even when a require reaches them: TypeORM names
 * every driver it supports, and better-sqlite3 is the embedded database production refuses.
 */
export const EXCLUDED_FROM_RUNTIME = ['better-sqlite3', 'sqlite3'] as const;

export interface RuntimeTree {
  readonly files: number;
  readonly bytes: number;
  readonly packages: readonly string[];
}

/**
 * Copies into `outDir` only the files the compiled entry's require graph reaches (traced by
 * @vercel/nft: static requires, resolved dynamic ones and the assets they read), plus a `main.js`
 * that starts it. This is what "the runtime stage holds only what the service imports" means.
 */
export async function writeRuntimeTree(
  entry: string,
  outDir: string,
  root = process.cwd(),
): Promise<RuntimeTree> {
  const base = resolve(root);
  const { fileList } = await nodeFileTrace([resolve(base, entry)], {
    base,
    // Node >= 20.19 resolves the `module-sync` export condition (require of ES modules) first.
    conditions: ['node', 'module-sync'],
    ignore: (path: string) =>
      EXCLUDED_FROM_RUNTIME.some((name) => path.startsWith(`node_modules/${name}/`)),
  });
  let bytes = 0;
  const packages = new Set<string>();
  for (const file of fileList) {
    const stat = lstatSync(join(base, file));
    if (!stat.isFile()) continue;
    const target = join(outDir, file);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(base, file), target);
    bytes += stat.size;
    const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
    if (pkg) packages.add(pkg);
  }
  const starter = relative(outDir, join(outDir, entry)).split('\\').join('/');
  writeFileSync(join(outDir, 'main.js'), `require('./${starter}');\n`);
  return { files: fileList.size, bytes, packages: [...packages].sort() };
}
