import { mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { makeSampleMedia, type SampleMedia } from '@herd/media';
import { InMemoryRegistryStore } from '@herd/registry';
import { MemoryBroker } from '@herd/saga';
import { loadServiceConfig, startService } from '@herd/service';
import { CODEC_SERVICE, COURSEWARE_SERVICE } from '@herd/contracts';
import { CoursewareModule } from '../../courseware/src/courseware.module';
import { loadCodecOptions } from './codec-options';
import { CodecModule } from './codec.module';

interface CoursewareBody {
  id: string;
  status: string;
  rejectionReason: string | null;
  renditions: Array<{ name: string; url: string; codec: string | null; bytes: number }> | null;
}

/**
 * Codec on embedded defaults with a courseware beside it (shared in-memory broker and registry),
 * with real ffmpeg: originals fetched by service name, renditions made, served with ranges.
 */
// Real ffmpeg runs in these cases: generous limits for a loaded 2-core machine.
jest.setTimeout(120_000);

describe('codec on embedded defaults', () => {
  let codec: INestApplication;
  let courseware: INestApplication;
  let base: string;
  let codecBase: string;
  let storage: string;
  let media: SampleMedia;

  beforeAll(async () => {
    storage = await mkdtemp(join(tmpdir(), 'herd-codec-spec-'));
    await mkdir(join(storage, 'samples'));
    media = await makeSampleMedia(join(storage, 'samples'), {
      seconds: 1,
      width: 160,
      height: 120,
      tooLargeBytes: 1,
    });
    const overrides = {
      embedded: { broker: new MemoryBroker(), registryStore: new InMemoryRegistryStore() },
      logging: { level: 'silent' as const },
    };
    const config = (name: string) =>
      loadServiceConfig({ name, version: '0.0.0', port: 0 }, { HOST: '127.0.0.1' });
    const codecConfig = config(CODEC_SERVICE);
    codec = await startService(
      CodecModule.forRoot(
        codecConfig,
        loadCodecOptions(codecConfig.instanceId, {
          CODEC_MEDIA_DIR: join(storage, 'codec'),
          CODEC_JOB_POLL_MS: '50',
        }),
        overrides,
      ),
      codecConfig,
    );
    courseware = await startService(
      CoursewareModule.forRoot(
        config(COURSEWARE_SERVICE),
        { storageDir: join(storage, 'courseware'), maxUploadBytes: 10 * 1024 * 1024 },
        overrides,
      ),
      config(COURSEWARE_SERVICE),
    );
    base = (await courseware.getUrl()).replace('[::1]', '127.0.0.1');
    codecBase = (await codec.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await courseware?.close();
    await codec?.close();
  });

  async function publish(file: string): Promise<CoursewareBody> {
    const created = await fetch(`${base}/coursewares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'spec' }),
    });
    const { id } = (await created.json()) as CoursewareBody;
    const form = new FormData();
    form.set('file', new Blob([await readFile(file)]));
    expect(
      (await fetch(`${base}/coursewares/${id}/source`, { method: 'POST', body: form })).status,
    ).toBe(200);
    expect((await fetch(`${base}/coursewares/${id}/publish`, { method: 'POST' })).status).toBe(202);
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      const current = (await (await fetch(`${base}/coursewares/${id}`)).json()) as CoursewareBody;
      if (current.status !== 'PUBLISHING') return current;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`courseware ${id} still PUBLISHING after 60 s`);
  }

  it('makes H.264 360p and 720p and a poster of a video, read back with ffprobe', async () => {
    const published = await publish(media.video);
    expect(published.status).toBe('PUBLISHED');
    expect(published.renditions?.map((r) => [r.name, r.codec])).toEqual([
      ['h264-360p', 'h264'],
      ['h264-720p', 'h264'],
      ['poster', 'mjpeg'],
    ]);
    expect(await readdir(join(storage, 'codec', 'renditions'))).toHaveLength(1);
    const poster = published.renditions?.find((r) => r.name === 'poster');
    const ranged = await fetch(`${base}${poster?.url}`, { headers: { range: 'bytes=0-9' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await ranged.arrayBuffer()).subarray(0, 2)).toEqual(
      Buffer.from([0xff, 0xd8]),
    );
  });

  it("fails an undecodable source with ffmpeg's reason; the saga compensates", async () => {
    const rejected = await publish(media.undecodable);
    expect(rejected.status).toBe('REJECTED');
    expect(rejected.rejectionReason).toMatch(
      /^step "transcode" failed: ffmpeg could not decode the source: \S/,
    );
  });

  it('serves only known rendition files of job ids', async () => {
    const bad = await fetch(`${codecBase}/renditions/not-a-uuid/poster.jpg`);
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${codecBase}/renditions/${crypto.randomUUID()}/source`);
    expect(unknown.status).toBe(404);
  });
});
