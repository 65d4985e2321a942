import { CODEC_METRICS } from '../../../codec/src/codec.constants';
import { codecManifest } from '../../../codec/src/codec.manifest';
import { coursewareManifest } from '../../../courseware/src/courseware.manifest';
import { ScalingPolicy } from '../autoscaler/core/scaling-policy';

/**
 * The example services' policies, used when SHEPHERD_POLICIES is unset. Minimums, CPU and memory
 * come from their manifests (the one place a service's resources are written down).
 */
export const DEFAULT_POLICIES: readonly ScalingPolicy[] = [
  {
    app: codecManifest.name,
    minInstances: codecManifest.instances,
    maxInstances: 6,
    allocation: { cpus: codecManifest.cpus, memMb: codecManifest.memMb },
    multiplier: 1.5,
    scaleOutCycles: 2,
    scaleInCycles: 3,
    cooldownMs: 60_000,
    cpu: { scaleOutAbovePercent: 85, scaleInBelowPercent: 15 },
    // Not the lag of codec's group: codec takes a transcode command at once and queues the job in
    // its table, so the lag stays near 0 while work piles up. Its gauge counts that table, which
    // every instance shares (each serves the same figures: their max is the backlog). One job
    // at a time per instance, so 2 per instance is one in hand and one waiting.
    backlog: {
      metric: CODEC_METRICS.transcodeJobs,
      aggregate: 'max',
      targetPerInstance: 2,
      idleWindowMs: 60_000,
    },
  },
  {
    app: coursewareManifest.name,
    minInstances: coursewareManifest.instances,
    maxInstances: 8,
    allocation: { cpus: coursewareManifest.cpus, memMb: coursewareManifest.memMb },
    multiplier: 1.5,
    scaleOutCycles: 3,
    scaleInCycles: 6,
    cooldownMs: 120_000,
    cpu: { scaleOutAbovePercent: 75, scaleInBelowPercent: 20 },
    memory: { scaleOutAbovePercent: 85, scaleInBelowPercent: 30 },
  },
];
