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
import { ServiceManifest, defineServiceManifest } from '@herd/manifest';
import { buildAppDefinition, buildGroupDefinition } from '@herd/marathon';
import { clusterServiceEnv } from '@herd/service';
import { buildServiceSpec, renderSwarmStack } from '@herd/swarm';
import { HERD_MANIFESTS } from '../../apps/cli/src/herd-definitions';
import { MARATHON_DEFINITIONS_DIR as MARATHON_DIR } from '../../apps/cli/src/cli.constants';
import {
  HERD_STACK,
  SWARM_STACK_FILE,
  herdSwarmMembers,
} from '../../apps/cli/src/swarm/herd-swarm-stack';
import { formatSources } from '../utils/format-sources';

export interface ServiceSchematicOptions {
  readonly name: string;
  readonly port?: number;
  readonly migrationTimestamp?: number;
}

const RESERVED = new Set(['demo', 'service', 'herd']);
const FIRST_GENERATED_PORT = 3100;
const IMAGES_FILE = 'docker/images.json';
const HERD_MANIFESTS_FILE = 'apps/cli/src/herd-definitions.ts';

interface NestCli {
  projects?: Record<string, { type?: string; root?: string }>;
}
type ImageEntries = Record<string, { port: number; systemPackages: string[] }>;

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
  const timestamp = options.migrationTimestamp ?? Date.now();
  return (tree: Tree) => {
    refuseClashes(tree, name);
    const port = choosePort(tree, options.port);
    const settings = { name, port, timestamp };
    // The same manifest the template writes: the drift tests of apps/cli compare the two.
    const manifest = defineServiceManifest({
      name,
      version: readJson<{ version: string }>(tree, 'package.json').version,
      ports: [{ name: 'http', containerPort: port }],
      env: clusterServiceEnv(name),
    });
    return chain([
      addProjectToNestCli(name),
      addStartScript(name),
      addImageEntry(name, port),
      mergeWith(
        apply(url('./files'), [
          template({ ...strings, ...settings, envPrefix: strings.underscore(name).toUpperCase() }),
          renameTemplateFiles(),
          move('.'),
        ]),
      ),
      addToHerdManifests(manifest),
      addToSwarmStack(manifest),
      formatWithPrettier(`apps/${name}`, HERD_MANIFESTS_FILE),
    ]);
  };
}

/** A name is taken by any nest-cli.json project (app or library), a libs/ folder or an app folder. */
function refuseClashes(tree: Tree, name: string): void {
  const projects = readJson<NestCli>(tree, 'nest-cli.json').projects ?? {};
  const project = projects[name];
  if (project) {
    throw new SchematicsException(
      `"${name}" is already the ${project.type ?? 'project'} "${name}" in nest-cli.json (${project.root ?? '?'}): pick another service name`,
    );
  }
  if (tree.getDir(`libs/${name}`).subdirs.length || tree.getDir(`libs/${name}`).subfiles.length) {
    throw new SchematicsException(
      `"${name}" is the library libs/${name} (@herd/${name}): pick another service name`,
    );
  }
  if (tree.getDir(`apps/${name}`).subdirs.length || tree.getDir(`apps/${name}`).subfiles.length) {
    throw new SchematicsException(`apps/${name} already exists`);
  }
}

/**
 * The port asked for, refused when another service has it; else the first from 3100 no service
 * uses (their `*_DEFAULT_PORT` constants and docker/images.json).
 */
function choosePort(tree: Tree, asked: number | undefined): number {
  const used = new Map<number, string>();
  tree.getDir('apps').subdirs.forEach((app) => {
    tree.getDir(`apps/${app}/src`).subfiles.forEach((file) => {
      if (!file.endsWith('.constants.ts')) return;
      const text = tree.read(`apps/${app}/src/${file}`)?.toString('utf8') ?? '';
      for (const match of text.matchAll(/_DEFAULT_PORT\s*=\s*(\d+)/g))
        used.set(Number(match[1]), app);
    });
  });
  if (tree.exists(IMAGES_FILE)) {
    for (const [app, spec] of Object.entries(readJson<ImageEntries>(tree, IMAGES_FILE))) {
      used.set(spec.port, app);
    }
  }
  if (asked !== undefined) {
    const owner = used.get(asked);
    if (owner) throw new SchematicsException(`port ${asked} is ${owner}'s: pick another --port`);
    return asked;
  }
  let port = FIRST_GENERATED_PORT;
  while (used.has(port)) port += 1;
  return port;
}

/** `npm run images` builds every service docker/images.json lists. */
function addImageEntry(name: string, port: number): Rule {
  return (tree: Tree) =>
    tree.exists(IMAGES_FILE)
      ? updateJson(tree, IMAGES_FILE, (images: ImageEntries) => ({
          ...images,
          [name]: { port, systemPackages: [] },
        }))
      : tree;
}

/**
 * The herd CLI's HERD_MANIFESTS gains the service's manifest, and its Marathon definition and the
 * group's are rendered by @herd/marathon from that same manifest (`npx herd definitions` would
 * write the same files; the drift test in apps/cli checks it).
 */
function addToHerdManifests(manifest: ServiceManifest): Rule {
  const { name } = manifest;
  return (tree: Tree) => {
    const source = tree.read(HERD_MANIFESTS_FILE)?.toString('utf8');
    if (!source) return tree;
    const variable = `${strings.camelize(name)}Manifest`;
    const lastImport = [...source.matchAll(/^import .*\.manifest';$/gm)].pop();
    const list = /(HERD_MANIFESTS: readonly ServiceManifest\[\] = \[)([^\]]*)\]/.exec(source);
    if (!lastImport || !list) {
      throw new SchematicsException(
        `${HERD_MANIFESTS_FILE}: HERD_MANIFESTS not found where expected`,
      );
    }
    const end = (lastImport.index ?? 0) + lastImport[0].length;
    tree.overwrite(
      HERD_MANIFESTS_FILE,
      `${source.slice(0, end)}\nimport { ${variable} } from '../../${name}/src/${name}.manifest';${source.slice(end)}`.replace(
        list[0],
        `${list[1]}${list[2].trim()}, ${variable}]`,
      ),
    );
    const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
    tree.create(`${MARATHON_DIR}/${name}.json`, json(buildAppDefinition(manifest)));
    const group = `${MARATHON_DIR}/herd-group.json`;
    const definition = json(buildGroupDefinition([...HERD_MANIFESTS, manifest]));
    if (tree.exists(group)) tree.overwrite(group, definition);
    else tree.create(group, definition);
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

function readJson<T>(tree: Tree, path: string): T {
  const source = tree.read(path);
  if (!source)
    throw new SchematicsException(`${path} not found: run the generator at the monorepo's root`);
  return JSON.parse(source.toString('utf8')) as T;
}

function updateJson<T>(tree: Tree, path: string, change: (value: T) => T): Tree {
  tree.overwrite(path, `${JSON.stringify(change(readJson<T>(tree, path)), null, 2)}\n`);
  return tree;
}

/**
 * docker/swarm/herd.stack.yml gains the service, rendered by @herd/swarm from the same manifest
 * (`npm run ranch -- stack` would write the same file; the drift test in apps/cli checks it).
 */
function addToSwarmStack(manifest: ServiceManifest): Rule {
  return (tree: Tree) => {
    const stack = tree.read(SWARM_STACK_FILE)?.toString('utf8');
    if (!stack) return tree;
    const header = stack.slice(0, stack.search(/^[^#]/m));
    const specs = [
      ...herdSwarmMembers().map((member) => buildServiceSpec(member.manifest, member.options)),
      buildServiceSpec(manifest, { stack: HERD_STACK }),
    ];
    tree.overwrite(SWARM_STACK_FILE, `${header}${renderSwarmStack(specs)}`);
    return tree;
  };
}

/** Generated code follows the repository's Prettier settings whatever the name's length. */
function formatWithPrettier(dir: string, ...files: string[]): Rule {
  return (tree: Tree) => {
    const sources: Record<string, string> = {};
    tree.getDir(dir).visit((path) => {
      if (path.endsWith('.ts')) sources[path] = tree.read(path)?.toString('utf8') ?? '';
    });
    for (const file of files.filter((f) => tree.exists(f))) {
      sources[file] = tree.read(file)?.toString('utf8') ?? '';
    }
    for (const [path, formatted] of Object.entries(formatSources(sources, process.cwd()))) {
      tree.overwrite(path, formatted);
    }
    return tree;
  };
}
