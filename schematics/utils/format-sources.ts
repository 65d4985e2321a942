import { spawnSync } from 'node:child_process';

/**
 * Formats sources with the repository's Prettier settings. Prettier 3 loads its plugins with
 * dynamic import(), which a schematic run inside Jest's VM cannot do, so it runs in a child Node.
 */
export function formatSources(files: Record<string, string>, cwd: string): Record<string, string> {
  const script = `
    const prettier = require(require.resolve('prettier', { paths: [process.cwd()] }));
    let input = '';
    process.stdin.on('data', (chunk) => (input += chunk));
    process.stdin.on('end', async () => {
      const files = JSON.parse(input);
      const config = (await prettier.resolveConfig(process.cwd() + '/package.json')) || {};
      const out = {};
      for (const [path, source] of Object.entries(files)) {
        out[path] = await prettier.format(source, { ...config, filepath: path });
      }
      process.stdout.write(JSON.stringify(out));
    });`;
  const result = spawnSync(process.execPath, ['-e', script], {
    cwd,
    input: JSON.stringify(files),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0) throw new Error(`prettier failed: ${result.stderr || result.error}`);
  return JSON.parse(result.stdout) as Record<string, string>;
}
