import { SAGA_ENTITIES } from '@herd/saga';
import { DataSource } from 'typeorm';
import { LedgerEntryEntity } from '../../libs/saga/src/testing/ledger-entry.entity';
import { herdParticipant } from './herd';
import { roleEnv, roleReady, runRole } from './role-process';

/** @herd/saga's participant of the saga bench, in its own process. */
runRole(async () => {
  const env = roleEnv('RUN', 'BROKERS', 'PARTITIONS', 'PG_URL', 'SCHEMA', 'POOL_SIZE');
  const dataSource = new DataSource({
    type: 'postgres',
    url: env.PG_URL,
    schema: env.SCHEMA,
    entities: [...SAGA_ENTITIES, LedgerEntryEntity],
    extra: { max: Number(env.POOL_SIZE) },
  });
  await dataSource.initialize();
  const participant = await herdParticipant(
    { run: env.RUN, brokers: env.BROKERS.split(','), partitions: Number(env.PARTITIONS) },
    dataSource,
  );
  roleReady(async () => {
    await participant.close();
    await dataSource.destroy();
  });
});
