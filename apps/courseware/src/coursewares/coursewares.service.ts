import { randomUUID } from 'node:crypto';
import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectServiceDataSource, withTransaction } from '@herd/database';
import { InjectSagaOrchestrator, SagaOrchestrator } from '@herd/saga';
import type { SourceFormat, RenditionTarget } from '@herd/contracts';
import { COURSEWARE_SERVICE } from '../courseware.constants';
import { Courseware } from './courseware.entity';
import { CreateCoursewareDto } from './dto/create-courseware.dto';
import { PUBLISH_COURSEWARE_SAGA, PublishCoursewareData } from './publish-courseware.saga';

export interface CoursewareView extends Courseware {
  /** Why publishing failed, from the saga: set once the courseware is REJECTED. */
  readonly rejectionReason: string | null;
}

@Injectable()
export class CoursewaresService {
  constructor(
    @InjectServiceDataSource(COURSEWARE_SERVICE) private readonly dataSource: DataSource,
    @InjectSagaOrchestrator() private readonly sagas: SagaOrchestrator,
  ) {}

  /** The row and the saga's first command commit together, or neither does. */
  async create(dto: CreateCoursewareDto): Promise<CoursewareView> {
    const id = randomUUID();
    const sagaId = randomUUID();
    await withTransaction(this.dataSource, async (manager) => {
      await manager.insert(Courseware, {
        id,
        title: dto.title,
        sourceUri: dto.source.uri,
        sourceFormat: dto.source.format,
        targets: dto.targets,
        status: 'PUBLISHING',
        renditions: null,
        sagaId,
      });
      const data: PublishCoursewareData = {
        coursewareId: id,
        source: { uri: dto.source.uri, format: dto.source.format as SourceFormat },
        targets: dto.targets as RenditionTarget[],
      };
      await this.sagas.start(PUBLISH_COURSEWARE_SAGA, data, { manager, sagaId, correlationId: id });
    });
    return this.findOne(id);
  }

  async findOne(id: string): Promise<CoursewareView> {
    const courseware = await this.dataSource.getRepository(Courseware).findOneBy({ id });
    if (!courseware) throw new NotFoundException(`courseware ${id} not found`);
    return this.withReason(courseware);
  }

  async findAll(): Promise<CoursewareView[]> {
    const rows = await this.dataSource
      .getRepository(Courseware)
      .find({ order: { createdAt: 'DESC' }, take: 100 });
    return Promise.all(rows.map((row) => this.withReason(row)));
  }

  private async withReason(courseware: Courseware): Promise<CoursewareView> {
    if (courseware.status !== 'REJECTED') return { ...courseware, rejectionReason: null };
    const saga = await this.sagas.findById(courseware.sagaId);
    return { ...courseware, rejectionReason: saga.failureReason };
  }
}
