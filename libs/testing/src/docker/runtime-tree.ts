import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { nodeFileTrace, type NodeFileTraceOptions } from '@vercel/nft';
import { transform, transformSync, type TransformOptions } from 'esbuild';

/**
 * Packages a production image must never carry even when a require reaches them: TypeORM names
 * every driver it supports, and better-sqlite3 is the embedded database production refuses.
 */
export const EXCLUDED_FROM_RUNTIME = ['better-sqlite3', 'sqlite3'] as const;

export interface RuntimeTree {
  readonly files: number;
  readonly bytes: number;
  /** What the packages' JavaScript weighs once its comments and whitespace are gone. */
  readonly minifiedBytes: number;
  readonly packages: readonly string[];
}

/**
 * A package's JavaScript without its comments and whitespace, its code unchanged (no renaming, no
 * rewriting, the same characters). Node keeps the source text of every loaded module in the V8 heap
 * (Function.prototype.toString needs it): a Nest service loads some 2,500 files, about 10 MB of
 * text, half of it TypeORM's and the other libraries' doc comments and indentation.
 */
export function stripPackageSource(source: string): string {
  return transformSync(source, STRIP).code;
}

const STRIP = {
  loader: 'js',
  minifyWhitespace: true,
  charset: 'utf8',
  legalComments: 'inline',
} as const satisfies TransformOptions;

const PACKAGE_SCRIPT = /^node_modules\/.*\.c?js$/;

/** nft's analysis of one file (what it requires, imports and reads), as nft caches it. */
interface FileAnalysis {
  isESM: boolean;
  deps: Set<string>;
  imports: Set<string>;
  assets: Set<string>;
}

function traceOptions(
  base: string,
  analysisCache: Map<string, FileAnalysis>,
): NodeFileTraceOptions {
  return {
    base,
    // Node >= 20.19 resolves the `module-sync` export condition (require of ES modules) first.
    conditions: ['node', 'module-sync'],
    ignore: (path: string) =>
      EXCLUDED_FROM_RUNTIME.some((name) => path.startsWith(`node_modules/${name}/`)),
    cache: { analysisCache },
  };
}

/** A FileAnalysis as JSON keeps it. */
interface StoredAnalysis {
  isESM: boolean;
  deps: string[];
  imports: string[];
  assets: string[];
}

const ANALYSIS_FILE = 'analysis.json';
const STRIPPED_DIR = 'stripped';

function readTraceCache(dir: string | undefined): Map<string, FileAnalysis> {
  const file = dir && join(dir, ANALYSIS_FILE);
  if (!file || !existsSync(file)) return new Map();
  const entries = JSON.parse(readFileSync(file, 'utf8')) as [string, StoredAnalysis][];
  return new Map(
    entries.map(([path, a]) => [
      path,
      {
        isESM: a.isESM,
        deps: new Set(a.deps),
        imports: new Set(a.imports),
        assets: new Set(a.assets),
      },
    ]),
  );
}

/**
 * Traces every production dependency of `root`'s package.json into `cacheDir`: nft's analysis of
 * each file it read, and each package script already stripped. Parsing and stripping the packages
 * were 20 of a service's 28 s of tracing, and they change only with the lock file: the build stage
 * does this in the layer after `npm ci`, so a service's build analyses only its own compiled files.
 * Returns how many files it analysed.
 */
export async function warmRuntimeTraceCache(
  cacheDir: string,
  root = process.cwd(),
): Promise<number> {
  const base = resolve(root);
  const { dependencies = {} } = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const entries = Object.keys(dependencies).flatMap((name) => {
    try {
      return [require.resolve(name, { paths: [base] })];
    } catch {
      return []; // no CommonJS entry (types, CLI-only, ESM-only): nothing a require reaches
    }
  });
  const analysisCache = new Map<string, FileAnalysis>();
  await nodeFileTrace(entries, traceOptions(base, analysisCache));
  mkdirSync(cacheDir, { recursive: true });
  const serialised = [...analysisCache].map(([path, a]): [string, StoredAnalysis] => [
    path,
    { isESM: a.isESM, deps: [...a.deps], imports: [...a.imports], assets: [...a.assets] },
  ]);
  writeFileSync(join(cacheDir, ANALYSIS_FILE), JSON.stringify(serialised));
  const scripts = [...analysisCache.keys()]
    .map((path) => relative(base, path))
    .filter((file) => PACKAGE_SCRIPT.test(file));
  // esbuild's service strips files side by side when asked without waiting for each.
  await Promise.all(
    scripts.map(async (file) => {
      const target = join(cacheDir, STRIPPED_DIR, file);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, (await transform(readFileSync(join(base, file), 'utf8'), STRIP)).code);
    }),
  );
  return analysisCache.size;
}

/**
 * Copies into `outDir` only the files the compiled entry's require graph reaches (traced by
 * @vercel/nft: static requires, resolved dynamic ones and the assets they read), plus a `main.js`
 * that starts it. This is what "the runtime stage holds only what the service imports" means.
 * The packages' scripts are copied through `stripPackageSource` (the service's own compiled files
 * as emitted, so its stack traces keep their lines).
 */
export async function writeRuntimeTree(
  entry: string,
  outDir: string,
  root = process.cwd(),
  /** From `warmRuntimeTraceCache`: what was analysed and stripped there is not done again. */
  traceCacheDir?: string,
): Promise<RuntimeTree> {
  const base = resolve(root);
  const { fileList } = await nodeFileTrace(
    [resolve(base, entry)],
    traceOptions(base, readTraceCache(traceCacheDir)),
  );
  let bytes = 0;
  let minifiedBytes = 0;
  const packages = new Set<string>();
  for (const file of fileList) {
    const stat = lstatSync(join(base, file));
    if (!stat.isFile()) continue;
    const target = join(outDir, file);
    mkdirSync(dirname(target), { recursive: true });
    const strippedBefore = traceCacheDir && join(traceCacheDir, STRIPPED_DIR, file);
    if (PACKAGE_SCRIPT.test(file)) {
      const stripped =
        strippedBefore && existsSync(strippedBefore)
          ? readFileSync(strippedBefore, 'utf8')
          : stripPackageSource(readFileSync(join(base, file), 'utf8'));
      writeFileSync(target, stripped);
      minifiedBytes += Buffer.byteLength(stripped);
    } else {
      copyFileSync(join(base, file), target);
      minifiedBytes += stat.size;
    }
    bytes += stat.size;
    const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
    if (pkg) packages.add(pkg);
  }
  const starter = relative(outDir, join(outDir, entry)).split('\\').join('/');
  writeFileSync(join(outDir, 'main.js'), `require('./${starter}');\n`);
  return { files: fileList.size, bytes, minifiedBytes, packages: [...packages].sort() };
}
