/**
 * The subset of Marathon's v2 REST API (1.5+ networking) Herd writes and reads, with the field
 * names and enums of Marathon's RAML (`docs/docs/rest-api/public/api/v2/types/*.raml`).
 */

export type MarathonEnvValue = string | { readonly secret: string };

export interface MarathonPortMapping {
  readonly name: string;
  readonly containerPort: number;
  /** 0: Marathon picks a host port from the offer. */
  readonly hostPort: number;
  /** 0: Marathon assigns a cluster-unique service port for the load balancer. */
  readonly servicePort: number;
  readonly protocol: 'tcp' | 'udp' | 'tcp,udp';
  readonly labels?: Readonly<Record<string, string>>;
}

export interface MarathonVolume {
  readonly containerPath: string;
  readonly hostPath: string;
  readonly mode: 'RO' | 'RW';
}

export interface MarathonContainer {
  readonly type: 'DOCKER' | 'MESOS';
  readonly docker: {
    readonly image: string;
    readonly forcePullImage?: boolean;
    readonly privileged?: boolean;
    readonly parameters?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  };
  readonly portMappings: readonly MarathonPortMapping[];
  readonly volumes?: readonly MarathonVolume[];
}

export interface MarathonNetwork {
  readonly mode: 'container' | 'container/bridge' | 'host';
  readonly name?: string;
}

export type MarathonHealthProtocol =
  'HTTP' | 'HTTPS' | 'TCP' | 'COMMAND' | 'MESOS_TCP' | 'MESOS_HTTP' | 'MESOS_HTTPS';

export interface MarathonHealthCheck {
  readonly protocol: MarathonHealthProtocol;
  readonly path?: string;
  readonly portIndex?: number;
  readonly gracePeriodSeconds: number;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly maxConsecutiveFailures: number;
  readonly delaySeconds?: number;
  readonly ignoreHttp1xx?: boolean;
}

export interface MarathonReadinessCheck {
  readonly name: string;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly path: string;
  readonly portName: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly httpStatusCodesForReady: readonly number[];
  readonly preserveLastResponse: boolean;
}

export interface MarathonUpgradeStrategy {
  readonly minimumHealthCapacity: number;
  readonly maximumOverCapacity: number;
}

export type MarathonUnreachableStrategy =
  'disabled' | { readonly inactiveAfterSeconds: number; readonly expungeAfterSeconds: number };

export type MarathonConstraint = readonly [
  field: string,
  operator: 'UNIQUE' | 'CLUSTER' | 'GROUP_BY' | 'LIKE' | 'UNLIKE' | 'MAX_PER',
  value?: string,
];

/** An app definition as POST /v2/apps and PUT /v2/apps/{id} accept it. */
export interface MarathonAppDefinition {
  readonly id: string;
  readonly instances: number;
  readonly cpus: number;
  readonly mem: number;
  readonly disk?: number;
  readonly cmd?: string;
  readonly args?: readonly string[];
  readonly container?: MarathonContainer;
  readonly networks?: readonly MarathonNetwork[];
  readonly env?: Readonly<Record<string, MarathonEnvValue>>;
  readonly secrets?: Readonly<Record<string, { readonly source: string }>>;
  readonly healthChecks?: readonly MarathonHealthCheck[];
  readonly readinessChecks?: readonly MarathonReadinessCheck[];
  readonly upgradeStrategy?: MarathonUpgradeStrategy;
  readonly unreachableStrategy?: MarathonUnreachableStrategy;
  readonly killSelection?: 'YoungestFirst' | 'OldestFirst';
  readonly taskKillGracePeriodSeconds?: number;
  readonly constraints?: readonly MarathonConstraint[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly backoffSeconds?: number;
  readonly backoffFactor?: number;
  readonly maxLaunchDelaySeconds?: number;
  readonly dependencies?: readonly string[];
}

/** A group as PUT /v2/groups accepts it: apps and nested groups under one id. */
export interface MarathonGroupDefinition {
  readonly id: string;
  readonly apps: readonly MarathonAppDefinition[];
  readonly groups?: readonly MarathonGroupDefinition[];
}

/** Which version of an app is live and when its config (not only its scale) last changed. */
export interface MarathonVersionInfo {
  readonly lastScalingAt: string;
  readonly lastConfigChangeAt: string;
}

/** A task as GET /v2/apps/{id} embeds it: `version` is the app version it was launched with. */
export interface MarathonTask {
  readonly id: string;
  readonly appId: string;
  readonly state: string;
  readonly version: string;
  readonly stagedAt?: string;
  readonly startedAt?: string;
  readonly healthCheckResults?: ReadonlyArray<{ readonly alive: boolean }>;
}

/** GET /v2/apps/{id} → `{ app }`, GET /v2/apps → `{ apps }`: the definition plus Marathon's counters. */
export interface MarathonApp extends MarathonAppDefinition {
  readonly version: string;
  readonly versionInfo: MarathonVersionInfo;
  readonly tasksStaged: number;
  readonly tasksRunning: number;
  readonly tasksHealthy: number;
  readonly tasksUnhealthy: number;
  readonly deployments: ReadonlyArray<{ readonly id: string }>;
  /** Embedded by GET /v2/apps/{id} (not by the list). */
  readonly tasks?: readonly MarathonTask[];
}

export type MarathonDeploymentAction =
  | 'StartApplication'
  | 'StopApplication'
  | 'ScaleApplication'
  | 'RestartApplication'
  | 'ResolveArtifacts';

/** One entry of GET /v2/deployments. */
export interface MarathonDeployment {
  readonly id: string;
  readonly version: string;
  readonly affectedApps: readonly string[];
  readonly affectedPods: readonly string[];
  readonly steps: ReadonlyArray<{
    readonly actions: ReadonlyArray<{
      readonly action: MarathonDeploymentAction;
      readonly app: string;
    }>;
  }>;
  readonly currentActions: ReadonlyArray<{
    readonly action: MarathonDeploymentAction;
    readonly app: string;
    readonly readinessCheckResults: readonly unknown[];
  }>;
  readonly currentStep: number;
  readonly totalSteps: number;
}

/** What every change answers (PUT, restart, DELETE deployment), besides the Marathon-Deployment-Id header. */
export interface MarathonDeploymentResult {
  readonly deploymentId: string;
  readonly version: string;
}

/** Marathon's error body (422 details: one entry per JSON path). */
export interface MarathonErrorBody {
  readonly message: string;
  readonly details?: ReadonlyArray<{ readonly path: string; readonly errors: readonly string[] }>;
  readonly deployments?: ReadonlyArray<{ readonly id: string }>;
}
