import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectServiceDataSource } from '@herd/database';
import { CODEC_SERVICE } from '../codec.constants';
import { TranscodeJob } from './transcode-job.entity';

@Controller('jobs')
export class JobsController {
  constructor(@InjectServiceDataSource(CODEC_SERVICE) private readonly dataSource: DataSource) {}

  @Get('by-courseware/:coursewareId')
  async byCourseware(@Param('coursewareId') coursewareId: string): Promise<TranscodeJob> {
    const job = await this.dataSource.getRepository(TranscodeJob).findOneBy({ coursewareId });
    if (!job) throw new NotFoundException(`no transcode job for courseware ${coursewareId}`);
    return job;
  }
}
