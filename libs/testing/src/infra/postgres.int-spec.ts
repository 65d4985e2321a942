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
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = new DataSource({
      type: 'postgres',
      url: herdInfraEnv().postgresUrl,
      entities: [SmokeSheep],
      synchronize: false,
    });
    await dataSource.initialize();
    await dataSource.query('DROP TABLE IF EXISTS smoke_sheep');
    await dataSource.synchronize();
  });

  afterAll(async () => {
    await dataSource.query('DROP TABLE IF EXISTS smoke_sheep');
    await dataSource.destroy();
  });

  it('is a real PostgreSQL server', async () => {
    const [{ version }] = await dataSource.query('SELECT version()');
    expect(version).toMatch(/^PostgreSQL \d+/);
  });

  it('creates a table through TypeORM and round-trips rows', async () => {
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
    const [{ exists }] = await dataSource.query(
      "SELECT to_regclass('public.smoke_sheep') IS NOT NULL AS exists",
    );
    expect(exists).toBe(true);
  });
});
