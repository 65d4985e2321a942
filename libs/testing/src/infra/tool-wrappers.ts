import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeExecutable(file: string, body: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `#!/usr/bin/env bash\n# Written by \`npm run infra -- up\`.\n${body}\n`);
  chmodSync(file, 0o755);
}
