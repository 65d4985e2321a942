/** Herd's choices for every app definition it builds (Marathon's own defaults are in its RAML). */
export const MARATHON_DEFAULTS = {
  /** Every herd member lives under this group: `/herd/codec`. */
  groupId: '/herd',
  /** Zero downtime: never fewer healthy instances than asked for during an upgrade, so new ones
   * start first, as many at once as the manifest's `rollout.maxSurge` allows. */
  minimumHealthCapacity: 1,
  /** A lost agent's tasks are replaced after a minute, and forgotten after ten. */
  inactiveAfterSeconds: 60,
  expungeAfterSeconds: 600,
  /** Scaling down stops the newest instances and keeps the warm ones. */
  killSelection: 'YoungestFirst',
  /** Spread instances over agents as evenly as the offers allow. */
  hostnameConstraint: ['hostname', 'GROUP_BY'],
  /** Marathon's default is an hour: a crash-looping version would take that long to retry. */
  maxLaunchDelaySeconds: 300,
  /** Mesos waits this long before the first check (Marathon's default). */
  delaySeconds: 15,
  readinessCheckName: 'ready',
  /** Follow a deployment: how often GET /v2/deployments and the app are polled. */
  pollIntervalMs: 1000,
  requestTimeoutMs: 10_000,
} as const;

/** Labels Herd writes on each app (Marathon labels are plain strings). */
export const MARATHON_LABELS = {
  service: 'HERD_SERVICE',
  version: 'HERD_VERSION',
  consulName: 'HERD_CONSUL_NAME',
  consulTags: 'HERD_CONSUL_TAGS',
  haproxyGroup: 'HAPROXY_GROUP',
  haproxyVhost: 'HAPROXY_0_VHOST',
} as const;

/** Response header naming the deployment a change started. */
export const DEPLOYMENT_ID_HEADER = 'Marathon-Deployment-Id';

/** Read-only fields of GET /v2/apps/{id} that a PUT must not send back. */
export const MARATHON_STATUS_FIELDS = [
  'version',
  'versionInfo',
  'tasksStaged',
  'tasksRunning',
  'tasksHealthy',
  'tasksUnhealthy',
  'deployments',
  'tasks',
  'lastTaskFailure',
  'readinessCheckResults',
] as const;
