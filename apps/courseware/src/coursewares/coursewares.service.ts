import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import {
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { InjectServiceDataSource, withTransaction } from '@herd/database';
import { FfmpegError, classifyMedia, probeMedia, type MediaProbe } from '@herd/media';
import { InjectSagaOrchestrator, SagaOrchestrator } from '@herd/saga';
import { COURSEWARE_SERVICE, type Rendition } from '@herd/contracts';
import { COURSEWARE_DEFAULTS } from '../courseware.constants';
import { OriginalsStorage } from '../originals/originals-storage';
import { Courseware, CoursewareStatus, SourceMedia } from './courseware.entity';
import { CreateCoursewareDto } from './dto/create-courseware.dto';
import type { CoursewareView } from './dto/courseware-view.dto';
import {
  PUBLISH_COURSEWARE_SAGA,
  PublishCoursewareData,
  RETIRE_COURSEWARE_SAGA,
} from './publish-courseware.saga';

const UPLOADABLE: readonly CoursewareStatus[] = ['DRAFT', 'READY', 'REJECTED'];

@Injectable()
export class CoursewaresService {
  constructor(
    @InjectServiceDataSource(COURSEWARE_SERVICE) private readonly dataSource: DataSource,
    @InjectSagaOrchestrator() private readonly sagas: SagaOrchestrator,
    @Inject(OriginalsStorage) private readonly storage: OriginalsStorage,
  ) {}

  /**
   * With an idempotency key, a create sent again (its first answer lost with the instance that
   * made it) finds the courseware the first one made instead of making a second; the same key
   * with another body is refused (422).
   */
  async create(dto: CreateCoursewareDto, idempotencyKey?: string): Promise<CoursewareView> {
    const id = randomUUID();
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(Courseware)
      .values({
        id,
        title: dto.title,
        status: 'DRAFT',
        kind: null,
        source: null,
        durationSeconds: null,
        renditions: null,
        sagaId: null,
        idempotencyKey: idempotencyKey ?? null,
      })
      .orIgnore()
      .execute();
    if (!idempotencyKey) return this.findOne(id);
    const made = await this.dataSource
      .getRepository(Courseware)
      .findOneByOrFail({ idempotencyKey });
    if (made.title !== dto.title) {
      throw new UnprocessableEntityException(
        `Idempotency-Key ${JSON.stringify(idempotencyKey)} was used for another courseware`,
      );
    }
    return this.view(made);
  }

  /**
   * Keeps an uploaded file as the courseware's original once ffprobe, reading its bytes, finds
   * audio or video in an accepted container; otherwise 415 saying what it found. The upload is
   * removed either way from where it landed.
   */
  async upload(id: string, uploaded: string, bytes: number): Promise<CoursewareView> {
    try {
      const probe = await this.probe(uploaded);
      const media = classifyMedia(probe);
      if ('refusal' in media) throw unsupported(media.refusal);
      await withTransaction(this.dataSource, async (manager) => {
        const courseware = await this.lockedRow(manager, id);
        if (!UPLOADABLE.includes(courseware.status)) {
          throw new ConflictException(
            `courseware ${id} is ${courseware.status}: its media cannot change`,
          );
        }
        await this.storage.keep(uploaded, id);
        await manager.update(
          Courseware,
          { id },
          {
            status: 'READY',
            kind: media.kind,
            source: describe(probe, bytes),
            durationSeconds: null,
            renditions: null,
          },
        );
      });
      return this.findOne(id);
    } finally {
      await rm(uploaded, { force: true });
    }
  }

  /**
   * The row turns PUBLISHING and the saga's first command is written in one transaction. Publishing
   * what is PUBLISHING or PUBLISHED already answers its state and starts nothing: a publish sent
   * again after its answer was lost is no second saga.
   */
  async publish(id: string): Promise<CoursewareView> {
    await withTransaction(this.dataSource, async (manager) => {
      const courseware = await this.lockedRow(manager, id);
      if (courseware.status === 'PUBLISHING' || courseware.status === 'PUBLISHED') return;
      if (courseware.status !== 'READY' || !courseware.kind) {
        throw new ConflictException(
          `courseware ${id} is ${courseware.status}: upload its media first (POST /coursewares/${id}/source)`,
        );
      }
      const sagaId = randomUUID();
      await manager.update(Courseware, { id }, { status: 'PUBLISHING', sagaId });
      const data: PublishCoursewareData = { coursewareId: id, kind: courseware.kind };
      await this.sagas.start(PUBLISH_COURSEWARE_SAGA, data, { manager, sagaId, correlationId: id });
    });
    return this.findOne(id);
  }

  /** Deletes the row and the original; the codec is told to remove renditions it published. */
  async remove(id: string): Promise<void> {
    await withTransaction(this.dataSource, async (manager) => {
      const courseware = await this.lockedRow(manager, id);
      if (courseware.status === 'PUBLISHING') {
        throw new ConflictException(`courseware ${id} is PUBLISHING: wait for the saga to end`);
      }
      if (courseware.status === 'PUBLISHED') {
        await this.sagas.start(
          RETIRE_COURSEWARE_SAGA,
          { coursewareId: id },
          { manager, correlationId: id },
        );
      }
      await manager.delete(Courseware, { id });
    });
    await this.storage.remove(id);
  }

  async findOne(id: string): Promise<CoursewareView> {
    return this.view(await this.row(this.dataSource.manager, id));
  }

  async findAll(): Promise<CoursewareView[]> {
    const rows = await this.dataSource
      .getRepository(Courseware)
      .find({ order: { createdAt: 'DESC' }, take: 100 });
    return Promise.all(rows.map((row) => this.view(row)));
  }

  /** Where the original is, for a courseware that has one. */
  async original(id: string): Promise<{ root: string; name: string }> {
    const courseware = await this.row(this.dataSource.manager, id);
    if (!courseware.source) throw new NotFoundException(`courseware ${id} has no media uploaded`);
    return this.storage.locate(id);
  }

  /** A published rendition, by name: its path on the codec comes from the codec's own reply. */
  async rendition(id: string, name: string): Promise<Rendition> {
    const courseware = await this.row(this.dataSource.manager, id);
    const rendition = courseware.renditions?.find((r) => r.name === name);
    if (!rendition) {
      const names = courseware.renditions?.map((r) => r.name).join(', ') || 'none yet';
      throw new NotFoundException(`courseware ${id} has no rendition "${name}" (${names})`);
    }
    return rendition;
  }

  private async probe(file: string): Promise<MediaProbe> {
    try {
      return await probeMedia(file, COURSEWARE_DEFAULTS.probeTimeoutMs);
    } catch (error) {
      if (error instanceof FfmpegError) throw unsupported(`no audio or video: ${error.reason}`);
      throw error;
    }
  }

  private async row(manager: EntityManager, id: string): Promise<Courseware> {
    const courseware = await manager.findOneBy(Courseware, { id });
    if (!courseware) throw new NotFoundException(`courseware ${id} not found`);
    return courseware;
  }

  private async lockedRow(manager: EntityManager, id: string): Promise<Courseware> {
    const postgres = this.dataSource.options.type === 'postgres';
    const courseware = await manager.findOne(Courseware, {
      where: { id },
      ...(postgres ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!courseware) throw new NotFoundException(`courseware ${id} not found`);
    return courseware;
  }

  private async view(courseware: Courseware): Promise<CoursewareView> {
    const rejectionReason =
      courseware.status === 'REJECTED' && courseware.sagaId
        ? (await this.sagas.findById(courseware.sagaId)).failureReason
        : null;
    const { renditions, ...rest } = courseware;
    return {
      ...rest,
      renditions:
        renditions?.map(({ path: _path, ...rendition }) => ({
          ...rendition,
          url: `/coursewares/${courseware.id}/renditions/${rendition.name}`,
        })) ?? null,
      rejectionReason,
    };
  }
}

function unsupported(found: string): UnsupportedMediaTypeException {
  return new UnsupportedMediaTypeException({
    statusCode: 415,
    error: 'Unsupported Media Type',
    message: 'the upload is not audio or video courseware can publish',
    found,
  });
}

function describe(probe: MediaProbe, bytes: number): SourceMedia {
  return {
    format: `${probe.formatLongName} (${probe.format})`,
    bytes,
    durationSeconds: probe.durationSeconds,
    streams: probe.streams.map((s) =>
      [s.type, s.codec ?? 'unknown', s.width && s.height ? `${s.width}x${s.height}` : '']
        .filter(Boolean)
        .join(' '),
    ),
  };
}
