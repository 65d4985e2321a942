import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { runMediaTool } from '@herd/media';
import { createValidationPipe, loadServiceConfig } from '@herd/service';
import { COURSEWARE_SERVICE } from '@herd/contracts';
import { loadCoursewareOptions } from './courseware-options';
import { serveCoursewareDocs } from './courseware.docs';
import { CoursewareModule } from './courseware.module';

const LIMIT = 64 * 1024;

describe('courseware on embedded defaults', () => {
  let app: INestApplication;
  let storage: string;
  let tone: string;

  beforeAll(async () => {
    storage = await mkdtemp(join(tmpdir(), 'herd-courseware-spec-'));
    tone = join(storage, 'tone.wav');
    await runMediaTool('ffmpeg', ['-f', 'lavfi', '-i', 'sine=duration=0.5', '-y', tone], {
      timeoutMs: 30_000,
    });
    const config = loadServiceConfig({ name: COURSEWARE_SERVICE, version: '0.0.0', port: 0 }, {});
    const moduleRef = await Test.createTestingModule({
      imports: [
        CoursewareModule.forRoot(
          config,
          { storageDir: join(storage, 'store'), maxUploadBytes: LIMIT },
          { logging: { level: 'silent' } },
        ),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    app.useGlobalPipes(createValidationPipe());
    serveCoursewareDocs(app, '0.0.0');
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  const http = () => request(app.getHttpServer());
  const create = async () =>
    (await http().post('/coursewares').send({ title: 'Lambing season' }).expect(201)).body as {
      id: string;
      status: string;
    };

  /** Sagas of every state this service's database holds, from its saga query API. */
  const sagaCount = async () =>
    Object.values(
      ((await http().get('/sagas').expect(200)).body as { counts: Record<string, number> }).counts,
    ).reduce((sum, count) => sum + count, 0);

  it('creates a DRAFT, takes an audio upload ffprobe recognises, and makes it READY', async () => {
    const { id, status } = await create();
    expect(status).toBe('DRAFT');
    const uploaded = await http()
      .post(`/coursewares/${id}/source`)
      .attach('file', tone)
      .expect(200);
    expect(uploaded.body).toMatchObject({
      status: 'READY',
      kind: 'audio',
      source: { format: 'WAV / WAVE (Waveform Audio) (wav)', streams: ['audio pcm_s16le'] },
    });
    const original = await http().get(`/coursewares/${id}/source`).expect(200);
    expect(original.headers['content-type']).toBe('application/octet-stream');
  });

  it('makes one courseware per Idempotency-Key, refusing the key for another body (422) or malformed (400)', async () => {
    const key = `create-${Date.now()}`;
    const first = await http()
      .post('/coursewares')
      .set('Idempotency-Key', key)
      .send({ title: 'Shearing' })
      .expect(201);
    const again = await http()
      .post('/coursewares')
      .set('Idempotency-Key', key)
      .send({ title: 'Shearing' })
      .expect(201);
    expect(again.body.id).toBe(first.body.id);
    const other = await http()
      .post('/coursewares')
      .set('Idempotency-Key', key)
      .send({ title: 'Dipping' })
      .expect(422);
    expect(other.body.message).toContain('was used for another courseware');
    const listed = (await http().get('/coursewares').expect(200)).body as { title: string }[];
    expect(listed.filter((c) => c.title === 'Shearing')).toHaveLength(1);
    const malformed = await http()
      .post('/coursewares')
      .set('Idempotency-Key', 'a'.repeat(201))
      .send({ title: 'Shearing' })
      .expect(400);
    expect(malformed.body.violations).toEqual([
      { field: 'Idempotency-Key', reason: 'must be 1 to 200 visible ASCII characters' },
    ]);
  });

  it('publishes once when asked twice: the second answers 202 with its state, starting no saga', async () => {
    const { id } = await create();
    await http().post(`/coursewares/${id}/source`).attach('file', tone).expect(200);
    const sagasBefore = await sagaCount();
    const first = await http().post(`/coursewares/${id}/publish`).expect(202);
    const again = await http().post(`/coursewares/${id}/publish`).expect(202);
    expect(first.body.status).toBe('PUBLISHING');
    expect(again.body).toMatchObject({ id, status: 'PUBLISHING' });
    expect(await sagaCount()).toBe(sagasBefore + 1);
  });

  it('answers 415 with what ffprobe found, whatever the file is called', async () => {
    const { id } = await create();
    const fake = join(storage, 'lecture.mp4');
    await writeFile(fake, 'this is not a video');
    const response = await http()
      .post(`/coursewares/${id}/source`)
      .attach('file', fake)
      .expect(415);
    expect(response.body.found).toBe('no audio or video: Invalid data found when processing input');
    // Nothing of a refused upload stays behind.
    expect(await readdir(join(storage, 'store', 'incoming'))).toEqual([]);
  });

  it('answers 413 over the upload limit', async () => {
    const { id } = await create();
    const large = join(storage, 'large.wav');
    await writeFile(large, Buffer.alloc(LIMIT + 1));
    await http().post(`/coursewares/${id}/source`).attach('file', large).expect(413);
    expect(await readdir(join(storage, 'store', 'incoming'))).toEqual([]);
  });

  it('answers 400 naming the field, and refuses fields that name a path or URL', async () => {
    const missing = await http().post('/coursewares').send({}).expect(400);
    expect(missing.body.violations).toContainEqual({
      field: 'title',
      reason: 'title must be a string',
    });
    const named = await http()
      .post('/coursewares')
      .send({ title: 'x', source: { uri: 'file:///proc/self/environ' } })
      .expect(400);
    expect(named.body.violations).toEqual([
      { field: 'source', reason: 'property source should not exist' },
    ]);
    const { id } = await create();
    const noFile = await http().post(`/coursewares/${id}/source`).field('x', 'y').expect(400);
    expect(noFile.body.message).toContain('Too many fields');
    const empty = await http().post(`/coursewares/${id}/source`).expect(400);
    expect(empty.body.violations).toEqual([
      { field: 'file', reason: 'a multipart/form-data field "file" is required' },
    ]);
    const badId = await http().get('/coursewares/..%2Fetc').expect(400);
    expect(badId.body.violations).toEqual([{ field: 'id', reason: 'id must be a UUID' }]);
  });

  it('refuses to publish a courseware without media (409), starting no saga, and deletes it', async () => {
    const { id } = await create();
    const sagasBefore = await sagaCount();
    const response = await http().post(`/coursewares/${id}/publish`).expect(409);
    expect(response.body.message).toContain('upload its media first');
    expect(await sagaCount()).toBe(sagasBefore);
    await http().delete(`/coursewares/${id}`).expect(204);
    await http().get(`/coursewares/${id}`).expect(404);
  });

  it('serves its OpenAPI document', async () => {
    const document = await http().get('/docs-json').expect(200);
    expect(document.body.paths['/coursewares/{id}/source'].post.requestBody.content).toHaveProperty(
      'multipart/form-data',
    );
  });

  it('fails at boot naming a bad setting', () => {
    expect(() => loadCoursewareOptions({ COURSEWARE_MAX_UPLOAD_BYTES: 'lots' })).toThrow(
      'invalid configuration COURSEWARE_MAX_UPLOAD_BYTES: must be a positive integer, got "lots"',
    );
    expect(() => loadCoursewareOptions({ COURSEWARE_STORAGE_DIR: 'relative/dir' })).toThrow(
      'COURSEWARE_STORAGE_DIR: must be an absolute path',
    );
  });
});
