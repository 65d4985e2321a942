import { MarathonDouble } from '../libs/marathon/test/marathon-double';

const USAGE = `usage: npm run marathon-double -- [--port <port>] [--broken-image <repo:tag>]...

  A Marathon test DOUBLE on 127.0.0.1 (not Marathon: see libs/marathon/README.md), for trying
  the herd CLI: MARATHON_URL=<printed url> npx herd deploy docker/marathon/codec.json`;

async function main(argv: string[]): Promise<number> {
  let port = 8080;
  const brokenImages: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port' && argv[i + 1]) port = Number(argv[++i]);
    else if (argv[i] === '--broken-image' && argv[i + 1]) brokenImages.push(argv[++i]);
    else {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
  }
  const double = new MarathonDouble({
    port,
    brokenImages,
    taskStartMs: 1000,
    healthyAfterMs: 1500,
  });
  const url = await double.start();
  process.stdout.write(
    `Marathon double (not Marathon) at ${url}; tasks of ${brokenImages.join(', ') || 'no image'} never turn healthy. Ctrl-C stops it.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await double.stop();
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
