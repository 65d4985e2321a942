import { DataSource } from 'typeorm';
import { TranscodeJob } from '../transcoding/transcode-job.entity';

/** An in-memory SQLite database holding the job table, for unit tests. */
export function jobsDatabase(): Promise<DataSource> {
  return new DataSource({
    type: 'better-sqlite3',
    database: ':memory:',
    entities: [TranscodeJob],
    synchronize: true,
  }).initialize();
}
