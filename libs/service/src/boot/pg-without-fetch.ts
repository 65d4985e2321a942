/**
 * pg asks, when it is first imported, whether it runs on Cloudflare Workers: where `navigator` is
 * missing (Node 20; Node 21 and later define it) it builds a `Response`, which loads Node's whole
 * fetch implementation (undici): about 3 MB of a service's idle RSS (`npm run bench -- images`) in a
 * process that never calls fetch. pg is imported once here with the `navigator` a newer Node would
 * give it, removed right after, so no other library ever sees it.
 */
const scope = globalThis as { navigator?: unknown };
if (scope.navigator === undefined) {
  scope.navigator = { userAgent: `Node.js/${process.versions.node.split('.')[0]}` };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('pg');
  } finally {
    delete scope.navigator;
  }
}
