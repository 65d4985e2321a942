import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectServiceDataSource } from '@herd/database';
import { CODEC_SERVICE } from '../codec.constants';
import { uuidParam } from '@herd/service';
import { TranscodeJob } from './transcode-job.entity';

export type TranscodeJobView = Omit<TranscodeJob, 'command' | 'leaseOwner' | 'leaseUntil'> & {
  /** The instance working on it now, if any. */
  readonly worker: string | null;
};

@Controller('jobs')
export class JobsController {
  constructor(@InjectServiceDataSource(CODEC_SERVICE) private readonly dataSource: DataSource) {}

  @Get('by-courseware/:coursewareId')
  async byCourseware(
    @Param('coursewareId', uuidParam('coursewareId')) coursewareId: string,
  ): Promise<TranscodeJobView> {
    const job = await this.dataSource.getRepository(TranscodeJob).findOneBy({ coursewareId });
    if (!job) throw new NotFoundException(`no transcode job for courseware ${coursewareId}`);
    const { command: _command, leaseOwner, leaseUntil: _lease, ...view } = job;
    return { ...view, worker: job.status === 'RUNNING' ? leaseOwner : null };
  }
}
