import { CODEC_CHANNEL } from '@herd/contracts';
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
    // The transcode commands waiting for codec: the saga participant's group is its name.
    lag: {
      group: codecManifest.name,
      topics: [CODEC_CHANNEL],
      targetPerInstance: 5,
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
