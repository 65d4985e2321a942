import { CODEC_DEFAULTS } from './codec.constants';
import { loadCodecOptions } from './codec-options';

describe('loadCodecOptions', () => {
  it('has working defaults', () => {
    expect(loadCodecOptions('codec-1', {})).toMatchObject({
      workerId: 'codec-1',
      jobLeaseMs: CODEC_DEFAULTS.jobLeaseMs,
      maxSourceBytes: CODEC_DEFAULTS.maxSourceBytes,
    });
  });

  it.each([
    [
      { CODEC_JOB_LEASE_MS: '0' },
      'invalid configuration CODEC_JOB_LEASE_MS: must be a positive integer, got "0"',
    ],
    [{ CODEC_MAX_SOURCE_BYTES: '1e99' }, 'CODEC_MAX_SOURCE_BYTES: must be a positive integer'],
    [{ CODEC_MEDIA_DIR: 'media' }, 'CODEC_MEDIA_DIR: must be an absolute path, got "media"'],
  ])('fails at boot naming the key: %j', (env, message) => {
    expect(() => loadCodecOptions('codec-1', env)).toThrow(message);
  });
});
