import { strings } from '@angular-devkit/core';
import {
  Rule,
  SchematicsException,
  Tree,
  apply,
  chain,
  mergeWith,
  move,
  renameTemplateFiles,
  template,
  url,
} from '@angular-devkit/schematics';
import { formatSources } from '../utils/format-sources';

export interface ServiceSchematicOptions {
  readonly name: string;
  readonly port?: number;
  readonly migrationTimestamp?: number;
}

const RESERVED = new Set(['demo', 'service', 'herd']);

/**
 * `npm run generate -- service <name>`: a Herd service that boots on embedded defaults at once
 * and on real servers when configured. Everything happens inside the schematic Tree, so
 * `--dry-run` shows exactly what would be written.
 */
export function main(options: ServiceSchematicOptions): Rule {
  const name = strings.dasherize(options.name ?? '');
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || RESERVED.has(name)) {
    throw new SchematicsException(
      `"${options.name}" is not a usable service name: use kebab-case, e.g. course-catalog`,
    );
  }
  const settings = {
    name,
    port: options.port ?? 3100,
    timestamp: options.migrationTimestamp ?? Date.now(),
  };
  return chain([
    refuseExisting(name),
    addProjectToNestCli(name),
    addStartScript(name),
    mergeWith(
      apply(url('./files'), [
        template({ ...strings, ...settings, envPrefix: strings.underscore(name).toUpperCase() }),
        renameTemplateFiles(),
        move('.'),
      ]),
    ),
    formatWithPrettier(`apps/${name}`),
  ]);
}

function refuseExisting(name: string): Rule {
  return (tree: Tree) => {
    if (
      tree.getDir(`apps/${name}`).subfiles.length ||
      tree.getDir(`apps/${name}/src`).subfiles.length
    ) {
      throw new SchematicsException(`apps/${name} already exists`);
    }
    return tree;
  };
}

function addProjectToNestCli(name: string): Rule {
  return (tree: Tree) =>
    updateJson(tree, 'nest-cli.json', (config: { projects?: Record<string, unknown> }) => ({
      ...config,
      projects: {
        ...config.projects,
        [name]: {
          type: 'application',
          root: `apps/${name}`,
          entryFile: 'main',
          sourceRoot: `apps/${name}/src`,
          compilerOptions: { tsConfigPath: `apps/${name}/tsconfig.app.json` },
        },
      },
    }));
}

function addStartScript(name: string): Rule {
  return (tree: Tree) =>
    updateJson(tree, 'package.json', (pkg: { scripts?: Record<string, string> }) => ({
      ...pkg,
      scripts: {
        ...pkg.scripts,
        [`start:${name}`]: `ts-node --transpile-only -r tsconfig-paths/register -P tsconfig.scripts.json apps/${name}/src/main.ts`,
      },
    }));
}

function updateJson<T>(tree: Tree, path: string, change: (value: T) => T): Tree {
  const source = tree.read(path);
  if (!source)
    throw new SchematicsException(`${path} not found: run the generator at the monorepo's root`);
  tree.overwrite(
    path,
    `${JSON.stringify(change(JSON.parse(source.toString('utf8')) as T), null, 2)}\n`,
  );
  return tree;
}

/** Generated code follows the repository's Prettier settings whatever the name's length. */
function formatWithPrettier(dir: string): Rule {
  return (tree: Tree) => {
    const sources: Record<string, string> = {};
    tree.getDir(dir).visit((path) => {
      if (path.endsWith('.ts')) sources[path] = tree.read(path)?.toString('utf8') ?? '';
    });
    for (const [path, formatted] of Object.entries(formatSources(sources, process.cwd()))) {
      tree.overwrite(path, formatted);
    }
    return tree;
  };
}
