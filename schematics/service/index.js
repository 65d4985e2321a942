// The collection's entry for tools that load factories with a plain require(), as Nest's CLI does
// (`nest g -c ./schematics/collection.json service <name>`): the factory is TypeScript over the
// monorepo's path aliases, so register ts-node (transpile only) and those aliases first, unless
// the caller (npm run generate, Jest) already runs TypeScript.
const { resolve } = require('node:path');

if (!require.extensions['.ts']) {
  const root = resolve(__dirname, '..', '..');
  require('ts-node').register({
    transpileOnly: true,
    project: resolve(root, 'tsconfig.scripts.json'),
  });
  const tsconfigPaths = require('tsconfig-paths');
  const { absoluteBaseUrl, paths } = tsconfigPaths.loadConfig(root);
  tsconfigPaths.register({ baseUrl: absoluteBaseUrl, paths });
}

module.exports = require('./service.factory');
