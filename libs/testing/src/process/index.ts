export { spawnTypeScript } from './spawn-typescript';
export type { SpawnTypeScriptOptions } from './spawn-typescript';
