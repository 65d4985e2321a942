import { floorParticipant } from './floor';
import { roleEnv, roleReady, runRole } from './role-process';

/** The hand-written floor's participant of the saga bench, in its own process. */
runRole(async () => {
  const env = roleEnv('RUN', 'BROKERS', 'PARTITIONS', 'PG_URL', 'SCHEMA', 'POOL_SIZE');
  const participant = await floorParticipant({
    run: env.RUN,
    brokers: env.BROKERS.split(','),
    url: env.PG_URL,
    schema: env.SCHEMA,
    poolSize: Number(env.POOL_SIZE),
    partitions: Number(env.PARTITIONS),
  });
  roleReady(() => participant.close());
});
