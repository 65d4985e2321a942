/**
 * The parts of the Docker Engine API v1.41 (engine 20.10) Herd reads and writes, as the API names
 * them (https://docs.docker.com/engine/api/v1.41/). Fields Herd never sets are left out.
 */

/** Nanoseconds: how the Engine API writes every duration. */
export type Nanoseconds = number;

export interface SwarmUpdateConfig {
  readonly Parallelism: number;
  readonly Delay: Nanoseconds;
  readonly FailureAction: 'continue' | 'pause' | 'rollback';
  readonly Monitor: Nanoseconds;
  readonly MaxFailureRatio: number;
  readonly Order: 'stop-first' | 'start-first';
}

export interface SwarmRollbackConfig extends Omit<SwarmUpdateConfig, 'FailureAction'> {
  readonly FailureAction: 'continue' | 'pause';
}

export interface SwarmHealthConfig {
  readonly Test: readonly string[];
  readonly Interval: Nanoseconds;
  readonly Timeout: Nanoseconds;
  readonly Retries: number;
  readonly StartPeriod: Nanoseconds;
}

export interface SwarmSecretReference {
  readonly SecretName: string;
  readonly SecretID?: string;
  readonly File: {
    readonly Name: string;
    readonly UID: string;
    readonly GID: string;
    readonly Mode: number;
  };
}

export interface SwarmMount {
  readonly Type: 'bind' | 'volume' | 'tmpfs';
  readonly Target: string;
  readonly Source?: string;
  readonly ReadOnly?: boolean;
  readonly TmpfsOptions?: { readonly SizeBytes?: number; readonly Mode?: number };
}

export interface SwarmContainerSpec {
  readonly Image: string;
  readonly Command?: readonly string[];
  readonly Args?: readonly string[];
  readonly Labels?: Readonly<Record<string, string>>;
  readonly Env?: readonly string[];
  readonly Hostname?: string;
  readonly ReadOnly?: boolean;
  readonly Mounts?: readonly SwarmMount[];
  readonly StopGracePeriod?: Nanoseconds;
  readonly StopSignal?: string;
  readonly Healthcheck?: SwarmHealthConfig;
  readonly Secrets?: readonly SwarmSecretReference[];
  readonly CapabilityDrop?: readonly string[];
  /** Supplementary groups of the task's process (`docker service create --group`). */
  readonly Groups?: readonly string[];
  readonly Init?: boolean;
}

export interface SwarmResources {
  readonly NanoCPUs?: number;
  readonly MemoryBytes?: number;
}

export interface SwarmTaskTemplate {
  readonly ContainerSpec: SwarmContainerSpec;
  readonly Resources?: { readonly Limits?: SwarmResources; readonly Reservations?: SwarmResources };
  readonly RestartPolicy?: {
    readonly Condition: 'none' | 'on-failure' | 'any';
    readonly Delay: Nanoseconds;
    readonly MaxAttempts: number;
    readonly Window: Nanoseconds;
  };
  readonly Placement?: {
    readonly Constraints?: readonly string[];
    readonly Preferences?: ReadonlyArray<{
      readonly Spread: { readonly SpreadDescriptor: string };
    }>;
    readonly MaxReplicas?: number;
  };
  readonly Networks?: ReadonlyArray<{ readonly Target: string }>;
  readonly ForceUpdate?: number;
}

export interface SwarmServiceSpec {
  readonly Name: string;
  readonly Labels?: Readonly<Record<string, string>>;
  readonly TaskTemplate: SwarmTaskTemplate;
  readonly Mode: { readonly Replicated: { readonly Replicas: number } };
  readonly UpdateConfig?: SwarmUpdateConfig;
  readonly RollbackConfig?: SwarmRollbackConfig;
}

/** `UpdateStatus.State`: where Swarm is in the last update of a service. */
export type SwarmUpdateState =
  | 'updating'
  | 'paused'
  | 'completed'
  | 'rollback_started'
  | 'rollback_paused'
  | 'rollback_completed';

export interface SwarmService {
  readonly ID: string;
  readonly Version: { readonly Index: number };
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly Spec: SwarmServiceSpec;
  readonly PreviousSpec?: SwarmServiceSpec;
  readonly UpdateStatus?: {
    readonly State: SwarmUpdateState;
    readonly StartedAt?: string;
    readonly CompletedAt?: string;
    readonly Message?: string;
  };
}

/** `Task.Status.State`, in the order Swarm moves a task through them. */
export type SwarmTaskState =
  | 'new'
  | 'allocated'
  | 'pending'
  | 'assigned'
  | 'accepted'
  | 'preparing'
  | 'ready'
  | 'starting'
  | 'running'
  | 'complete'
  | 'shutdown'
  | 'failed'
  | 'rejected'
  | 'remove'
  | 'orphaned';

export interface SwarmTask {
  readonly ID: string;
  readonly ServiceID: string;
  readonly NodeID?: string;
  readonly Slot?: number;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly DesiredState: SwarmTaskState;
  readonly Spec: SwarmTaskTemplate;
  readonly Status: {
    readonly Timestamp: string;
    readonly State: SwarmTaskState;
    readonly Message?: string;
    readonly Err?: string;
    readonly ContainerStatus?: { readonly ContainerID?: string; readonly ExitCode?: number };
  };
}

export interface SwarmSecret {
  readonly ID: string;
  readonly Spec: { readonly Name: string; readonly Labels?: Readonly<Record<string, string>> };
}

/** `GET /containers/{id}/stats?stream=false`, the fields CPU and memory are computed from. */
export interface ContainerStatsSample {
  readonly cpu_stats: {
    readonly cpu_usage: { readonly total_usage: number };
    readonly system_cpu_usage?: number;
    readonly online_cpus?: number;
  };
  readonly precpu_stats: {
    readonly cpu_usage: { readonly total_usage: number };
    readonly system_cpu_usage?: number;
  };
  readonly memory_stats: {
    readonly usage?: number;
    readonly limit?: number;
    readonly stats?: Readonly<Record<string, number>>;
  };
}

export interface ContainerInspect {
  readonly Id: string;
  readonly State: {
    readonly Status: string;
    readonly Pid: number;
    readonly Health?: { readonly Status: 'starting' | 'healthy' | 'unhealthy' };
  };
}

export interface SwarmInfo {
  readonly ServerVersion: string;
  readonly Swarm: {
    readonly LocalNodeState: 'inactive' | 'pending' | 'active' | 'error' | 'locked';
    readonly ControlAvailable: boolean;
    readonly NodeID: string;
    readonly Nodes?: number;
  };
}
