import { randomBytes } from 'node:crypto';
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { herdInfraEnv } from './infra-env';

@Entity({ name: 'smoke_sheep' })
class SmokeSheep {
  @PrimaryGeneratedColumn()
  id: number;

  @Column()
  name: string;

  @Column({ type: 'jsonb' })
  traits: Record<string, unknown>;
}

describe('PostgreSQL (real server)', () => {
  // A schema of this run's own: nothing the test did not create is touched or dropped.
  const schema = `herd_smoke_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;

  beforeAll(async () => {
    const admin = new DataSource({ type: 'postgres', url: herdInfraEnv().postgresUrl });
    await admin.initialize();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.destroy();
    dataSource = new DataSource({
      type: 'postgres',
      url: herdInfraEnv().postgresUrl,
      schema,
      entities: [SmokeSheep],
      synchronize: false,
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await dataSource.destroy();
  });

  it('is a real PostgreSQL server', async () => {
    const [{ version }] = await dataSource.query('SELECT version()');
    expect(version).toMatch(/^PostgreSQL \d+/);
  });

  it('creates a table through TypeORM and round-trips rows', async () => {
    await dataSource.synchronize();
    // The table TypeORM made, as the server describes it.
    const columns = await dataSource.query(
      `SELECT column_name, data_type, coalesce(column_default LIKE 'nextval%', false) AS serial
         FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'smoke_sheep'
        ORDER BY column_name`,
      [schema],
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'integer', serial: true },
      { column_name: 'name', data_type: 'character varying', serial: false },
      { column_name: 'traits', data_type: 'jsonb', serial: false },
    ]);
    const repository = dataSource.getRepository(SmokeSheep);
    await repository.save([
      { name: 'dolly', traits: { wool: 'white', age: 6 } },
      { name: 'shaun', traits: { wool: 'grey', tags: ['leader'] } },
    ]);
    const rows = await repository.find({ order: { name: 'ASC' } });
    expect(rows.map((r) => [r.name, r.traits])).toEqual([
      ['dolly', { wool: 'white', age: 6 }],
      ['shaun', { wool: 'grey', tags: ['leader'] }],
    ]);
    // Stored as jsonb on the server, not as text TypeORM parses back: the server's own operators.
    const wool = await dataSource.query(
      `SELECT name, traits->>'wool' AS wool FROM ${schema}.smoke_sheep WHERE traits ? 'tags'`,
    );
    expect(wool).toEqual([{ name: 'shaun', wool: 'grey' }]);
  });
});
