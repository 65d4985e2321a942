import { SwarmServiceSpec, SwarmTask, SwarmUpdateState } from '../engine/engine-api.interface';
import { SWARM_LABELS } from '../swarm.constants';

export interface SwarmTaskProgress {
  readonly slot: number;
  readonly state: string;
  readonly version: string;
  /** Runs the spec being deployed (image and environment). */
  readonly current: boolean;
}

/** Where a change of one service stands: what the CLI prints a line of whenever it moves. */
export interface SwarmProgress {
  readonly service: string;
  readonly elapsedMs: number;
  readonly replicas: number;
  /** Tasks running the spec being deployed. */
  readonly current: number;
  /** Every running task, old and new. */
  readonly running: number;
  readonly updateState?: SwarmUpdateState;
  readonly message?: string;
  readonly tasks: readonly SwarmTaskProgress[];
}

/** True when a task runs this spec: same image (Swarm may pin a digest after it) and environment. */
export function runsSpec(task: SwarmTask, spec: SwarmServiceSpec): boolean {
  const want = spec.TaskTemplate.ContainerSpec;
  const has = task.Spec.ContainerSpec;
  return (
    (has.Image === want.Image || has.Image.startsWith(`${want.Image}@`)) &&
    JSON.stringify(has.Env ?? []) === JSON.stringify(want.Env ?? [])
  );
}

export function snapshot(
  service: string,
  spec: SwarmServiceSpec,
  tasks: readonly SwarmTask[],
  startedAt: number,
  status?: { State: SwarmUpdateState; Message?: string },
): SwarmProgress {
  const live = tasks
    .filter((task) => task.DesiredState === 'running')
    .map((task) => ({
      slot: task.Slot ?? 0,
      state: task.Status.State,
      version: task.Spec.ContainerSpec.Labels?.[SWARM_LABELS.version] ?? '?',
      current: runsSpec(task, spec),
    }))
    .sort((a, b) => a.slot - b.slot || Number(a.current) - Number(b.current));
  const running = live.filter((task) => task.state === 'running');
  return {
    service,
    elapsedMs: Date.now() - startedAt,
    replicas: spec.Mode.Replicated.Replicas,
    current: running.filter((task) => task.current).length,
    running: running.length,
    updateState: status?.State,
    message: status?.Message,
    tasks: live,
  };
}

/** `codec: updating; 2 of 3 on the new spec, 4 running; slot 1 0.1.1 running, …` */
export function describeProgress(progress: SwarmProgress): string {
  const tasks = progress.tasks
    .map((task) => `${task.slot}:${task.version}${task.current ? '' : '(old)'} ${task.state}`)
    .join(', ');
  return `${progress.service}: ${progress.updateState ?? 'converging'}; ${progress.current} of ${progress.replicas} on the new spec, ${progress.running} running; ${tasks || 'no task'}`;
}
