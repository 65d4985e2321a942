import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runService } from '@herd/service';
import { CODEC_DEFAULT_PORT, CODEC_MEDIA_DIR_KEY, CODEC_SERVICE } from './codec.constants';
import { CodecModule } from './codec.module';

runService(
  {
    name: CODEC_SERVICE,
    version: process.env.npm_package_version ?? '0.1.0',
    port: CODEC_DEFAULT_PORT,
  },
  (config) =>
    CodecModule.forRoot(
      config,
      process.env[CODEC_MEDIA_DIR_KEY] ?? join(tmpdir(), 'herd-codec-media'),
    ),
);
