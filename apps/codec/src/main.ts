import { runService } from '@herd/service';
import { loadCodecOptions } from './codec-options';
import { CODEC_DEFAULT_PORT, CODEC_SERVICE } from './codec.constants';
import { CodecModule } from './codec.module';

runService(
  {
    name: CODEC_SERVICE,
    version: process.env.npm_package_version ?? '0.1.0',
    port: CODEC_DEFAULT_PORT,
  },
  (config) => CodecModule.forRoot(config, loadCodecOptions(config.instanceId)),
);
