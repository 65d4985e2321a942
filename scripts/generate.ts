import { resolve } from 'node:path';
import { NodeWorkflow } from '@angular-devkit/schematics/tools';
import { UnsuccessfulWorkflowExecution } from '@angular-devkit/schematics';

const COLLECTION = resolve(__dirname, '..', 'schematics', 'collection.json');
const USAGE = `usage: npm run generate -- service <name> [--port <port>] [--dry-run]

  service   a new Herd service under apps/<name>: its own database, sagas, Consul registration,
            health and metrics, a sample resource with its migration and test`;

function parse(
  argv: string[],
): { schematic: string; options: Record<string, unknown>; dryRun: boolean } | undefined {
  const [schematic, name, ...rest] = argv;
  if (schematic !== 'service' || !name || name.startsWith('-')) return undefined;
  const options: Record<string, unknown> = { name };
  let dryRun = false;
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    if (flag === '--dry-run') dryRun = true;
    else if (flag === '--port' && rest[i + 1]) options.port = Number(rest[++i]);
    else return undefined;
  }
  return { schematic, options, dryRun };
}

async function main(argv: string[]): Promise<number> {
  const parsed = parse(argv);
  if (!parsed) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const root = process.cwd();
  const workflow = new NodeWorkflow(root, {
    dryRun: parsed.dryRun,
    schemaValidation: true,
    resolvePaths: [root],
  });
  let failed = false;
  workflow.reporter.subscribe((event) => {
    const path = event.path.replace(/^\//, '');
    if (event.kind === 'error') {
      failed = true;
      process.stderr.write(
        `ERROR ${path}: ${event.description === 'alreadyExist' ? 'already exists' : 'does not exist'}\n`,
      );
    } else if (event.kind === 'create') process.stdout.write(`CREATE ${path}\n`);
    else if (event.kind === 'update') process.stdout.write(`UPDATE ${path}\n`);
    else if (event.kind === 'delete') process.stdout.write(`DELETE ${path}\n`);
  });
  try {
    // Subscribed directly: the schematics engine ships its own rxjs, whose types differ from ours.
    await new Promise<void>((resolvePromise, reject) =>
      workflow
        .execute({ collection: COLLECTION, schematic: parsed.schematic, options: parsed.options })
        .subscribe({ error: reject, complete: resolvePromise }),
    );
  } catch (error) {
    if (!(error instanceof UnsuccessfulWorkflowExecution)) {
      process.stderr.write(`${(error as Error).message}\n`);
    }
    return 1;
  }
  if (failed) return 1;
  process.stdout.write(
    parsed.dryRun
      ? '\nDry run: nothing was written.\n'
      : `\nNext: npx jest apps/${parsed.options.name} && npm run start:${parsed.options.name}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
