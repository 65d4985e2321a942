import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateAppDefinition, validateGroupDefinition } from '@herd/marathon';
import { MARATHON_DEFINITIONS_DIR } from './cli.constants';
import { renderMarathonDefinitions } from './herd-definitions';

const ROOT = resolve(__dirname, '..', '..', '..');

describe('docker/marathon definitions', () => {
  const rendered = Object.entries(renderMarathonDefinitions());

  it.each(rendered)(
    '%s is what the manifests generate (run: npx herd definitions)',
    (file, content) => {
      expect(readFileSync(join(ROOT, MARATHON_DEFINITIONS_DIR, file), 'utf8')).toBe(content);
    },
  );

  it.each(rendered)('%s is a definition Marathon accepts', (file, content) => {
    const json: unknown = JSON.parse(content);
    const violations =
      file === 'herd-group.json' ? validateGroupDefinition(json) : validateAppDefinition(json);
    expect(violations).toEqual([]);
  });
});
