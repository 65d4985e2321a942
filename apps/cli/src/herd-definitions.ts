import { buildAppDefinition, buildGroupDefinition } from '@herd/marathon';
import { ServiceManifest } from '@herd/manifest';
import { codecManifest } from '../../codec/src/codec.manifest';
import { coursewareManifest } from '../../courseware/src/courseware.manifest';

/** The herd: every service Herd ships, by its manifest. */
export const HERD_MANIFESTS: readonly ServiceManifest[] = [coursewareManifest, codecManifest];

/** File name → content of every generated Marathon definition: one app each, and the group. */
export function renderMarathonDefinitions(): Record<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    ...Object.fromEntries(
      HERD_MANIFESTS.map((manifest) => [
        `${manifest.name}.json`,
        json(buildAppDefinition(manifest)),
      ]),
    ),
    'herd-group.json': json(buildGroupDefinition(HERD_MANIFESTS)),
  };
}
