import { BenchScenario, benchMetric } from '@herd/testing';
import { EXIT } from '../apps/cli/src/exit-codes';
import { PublishTraffic, RanchFixture } from '../test/ranch/ranch-fixture';

const REPLICAS = 3;
/** The talk: a release of the herd took under 5 minutes. */
const TALK_BASELINE_S = 300;
/** Generous: a measurement, not a test; the CLI's own --timeout is 300 s. */
const ROLL_TIMEOUT_MS = 300_000;

/**
 * The herd on this machine's swarm (as `test/ranch`): courseware and codec at 3 replicas each,
 * then `herd deploy --target swarm` of a new version of both while a client publishes
 * coursewares through the registry client. Measures the time from the deploy to every replica of
 * both on the new version and passing in Consul, and the requests that failed meanwhile.
 */
const scenario: BenchScenario = async (progress) => {
  const ranch = new RanchFixture();
  try {
    progress('images, swarm, databases, secrets');
    await ranch.start(['1.0.0', '1.1.0']);
    const [first, next] = ranch.versions as [string, string];
    progress(`deploying ${first}, ${REPLICAS} replicas each`);
    const created = await ranch.deploy(['courseware', 'codec'], first, [
      '--replicas',
      String(REPLICAS),
    ]);
    if (created.code !== EXIT.ok) throw new Error(`first deploy failed: ${created.stderr}`);
    await ranch.settled('courseware', REPLICAS, first);
    await ranch.settled('codec', REPLICAS, first);

    progress(`rolling to ${next} under steady publishing`);
    const traffic = new PublishTraffic(ranch);
    const started = Date.now();
    // Both at once, each followed by its own CLI run; ready = every replica new and passing.
    const deploys = Promise.all([
      ranch.deploy(['courseware'], next),
      ranch.deploy(['codec'], next),
    ]);
    const ready = Promise.all([
      ranch.settled('courseware', REPLICAS, next, ROLL_TIMEOUT_MS),
      ranch.settled('codec', REPLICAS, next, ROLL_TIMEOUT_MS),
    ]).then(() => (Date.now() - started) / 1000);
    const rolled = await deploys;
    const doneSeconds = (Date.now() - started) / 1000;
    // The CLI's own account of the roll, task by task, with its times.
    for (const line of rolled.flatMap((run) => run.stdout.split('\n'))) {
      if (line.includes('on the new spec') || line.startsWith('herd:')) progress(line.trim());
    }
    const readySeconds = await ready;
    await traffic.stop();
    const failedRun = rolled.find((run) => run.code !== EXIT.ok);
    if (failedRun) throw new Error(`the roll failed: ${failedRun.stderr}`);
    progress(`${traffic.accepted.length} coursewares published, ${traffic.failures.length} failed`);
    return [
      benchMetric(
        `herd deploy of a new version to every replica ready (courseware + codec, ${REPLICAS} each)`,
        readySeconds,
        's',
        TALK_BASELINE_S,
        '<= 60 s',
      ),
      benchMetric(
        "herd deploy returns (after Swarm's monitor window of the last task)",
        doneSeconds,
        's',
        TALK_BASELINE_S,
        '-',
      ),
      benchMetric(
        'failed client requests during the roll',
        traffic.failures.length,
        'requests',
        null,
        `0 (of ${traffic.accepted.length + traffic.failures.length})`,
      ),
    ];
  } finally {
    await ranch.close();
  }
};

export default scenario;
