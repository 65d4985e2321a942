import { FfmpegTimeoutError } from './errors/ffmpeg-timeout.error';
import { classifyMedia, inputArgs, type MediaProbe } from './media-probe';
import { runMediaTool } from './media-tools';

const probe = (format: string, streams: MediaProbe['streams'], duration = 2): MediaProbe => ({
  format,
  formatLongName: format,
  durationSeconds: duration,
  bytes: 100,
  streams,
});
const audio = { type: 'audio', codec: 'aac', width: null, height: null, attachedPicture: false };
const video = { type: 'video', codec: 'h264', width: 320, height: 240, attachedPicture: false };

describe('classifyMedia', () => {
  it('tells audio from video, a cover picture not making audio a video', () => {
    expect(classifyMedia(probe('mov,mp4,m4a,3gp,3g2,mj2', [video, audio]))).toEqual({
      kind: 'video',
      demuxer: 'mov',
    });
    expect(classifyMedia(probe('mp3', [audio, { ...video, attachedPicture: true }]))).toEqual({
      kind: 'audio',
      demuxer: 'mp3',
    });
  });

  it.each(['hls', 'concat', 'image2', 'png_pipe'])('refuses the %s demuxer', (format) => {
    expect(classifyMedia(probe(format, [video]))).toEqual({
      refusal: `${format} (${format}) is not an accepted audio or video container`,
    });
  });

  it('refuses a container without streams or without duration', () => {
    expect(classifyMedia(probe('wav', []))).toEqual({
      refusal: 'wav (wav) holds no audio or video stream',
    });
    expect(classifyMedia(probe('wav', [audio], 0))).toEqual({
      refusal: 'wav (wav) has no duration',
    });
  });

  it('opens inputs through file: only, with the demuxer named', () => {
    expect(inputArgs('/srv/a', 'mov')).toEqual([
      '-protocol_whitelist',
      'file',
      '-f',
      'mov',
      '-i',
      'file:/srv/a',
    ]);
  });
});

describe('runMediaTool', () => {
  it('kills a run that passes its time limit', async () => {
    const endless = ['-f', 'lavfi', '-i', 'sine', '-f', 'null', '-'];
    await expect(runMediaTool('ffmpeg', endless, { timeoutMs: 500 })).rejects.toBeInstanceOf(
      FfmpegTimeoutError,
    );
  });

  it('refuses a network input: only file: is allowed', async () => {
    await expect(
      runMediaTool(
        'ffmpeg',
        ['-protocol_whitelist', 'file', '-i', 'http://127.0.0.1:9/x', '-f', 'null', '-'],
        {
          timeoutMs: 10_000,
        },
      ),
    ).rejects.toThrow(/not on whitelist/);
  });
});
