import {
  InfraStepError,
  buildServiceImages,
  consoleProgress,
  resolveInfraPaths,
  serviceImageSpecs,
} from '@herd/testing';

async function main(argv: string[]): Promise<number> {
  const known = Object.keys(serviceImageSpecs());
  const unknown = argv.filter((app) => !known.includes(app));
  if (unknown.length) {
    process.stderr.write(
      `unknown app: ${unknown.join(', ')}\nusage: npm run images -- [${known.join('|')} ...]\n`,
    );
    return 2;
  }
  const built = await buildServiceImages(argv.length ? argv : known, {
    paths: resolveInfraPaths(),
    progress: consoleProgress,
  });
  process.stdout.write('\n');
  for (const image of built) {
    process.stdout.write(
      `${image.image.padEnd(28)} ${(image.bytes / 1e6).toFixed(0).padStart(5)} MB  (base ${image.baseImage})\n`,
    );
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `\n[herd images] ${error instanceof InfraStepError ? error.message : ((error as Error).stack ?? error)}\n`,
    );
    process.exit(1);
  },
);
