import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SWARM_STACK_FILE, renderHerdStack } from './herd-swarm-stack';

const ROOT = resolve(__dirname, '..', '..', '..', '..');

describe('docker/swarm/herd.stack.yml', () => {
  it('is what the manifests generate (run: npm run ranch -- stack)', () => {
    expect(readFileSync(join(ROOT, SWARM_STACK_FILE), 'utf8')).toBe(renderHerdStack());
  });
});
