#!/usr/bin/env node
// `npx herd …`: runs the CLI's TypeScript directly (transpile only, with the @herd/* paths).
const { resolve } = require('node:path');
const root = resolve(__dirname, '..', '..', '..');
process.env.TS_NODE_PROJECT = process.env.TS_NODE_PROJECT || resolve(root, 'tsconfig.json');
process.env.TS_NODE_TRANSPILE_ONLY = 'true';
require('ts-node/register');
require('tsconfig-paths').register({
  baseUrl: root,
  paths: require(resolve(root, 'tsconfig.json')).compilerOptions.paths,
});
require(resolve(__dirname, '..', 'src', 'main.ts'));
