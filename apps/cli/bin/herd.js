#!/usr/bin/env node
// `npx herd …`: runs the CLI's TypeScript directly (transpile only, with the @herd/* paths).
// swc transpiles: loading the TypeScript compiler was most of a CLI start (2.2 s of 3.6 s).
const { resolve } = require('node:path');
const root = resolve(__dirname, '..', '..', '..');
require('ts-node').register({
  project: process.env.TS_NODE_PROJECT || resolve(root, 'tsconfig.json'),
  transpileOnly: true,
  swc: true,
});
require('tsconfig-paths').register({
  baseUrl: root,
  paths: require(resolve(root, 'tsconfig.json')).compilerOptions.paths,
});
require(resolve(__dirname, '..', 'src', 'main.ts'));
