import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runMediaTool } from './media-tools';

const MAKE_TIMEOUT_MS = 120_000;

export interface SampleMedia {
  readonly tone: string;
  readonly video: string;
  readonly undecodable: string;
  readonly notMedia: string;
  readonly tooLarge: string;
}

/** Real media made by ffmpeg's own generators, plus the bad uploads the demo shows refused. */
export async function makeSampleMedia(
  dir: string,
  options: { seconds: number; width: number; height: number; tooLargeBytes: number },
): Promise<SampleMedia> {
  const make = (args: string[]) => runMediaTool('ffmpeg', args, { timeoutMs: MAKE_TIMEOUT_MS });
  const tone = join(dir, 'lecture-tone.wav');
  await make([
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${options.seconds}`,
    '-ac',
    '1',
    '-y',
    tone,
  ]);
  const video = join(dir, 'lecture-pattern.mp4');
  await make([
    ...[
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${options.width}x${options.height}:rate=25:duration=${options.seconds}`,
    ],
    ...['-f', 'lavfi', '-i', `sine=frequency=660:duration=${options.seconds}`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
    ...['-shortest', '-movflags', '+faststart', '-y', video],
  ]);
  const undecodable = join(dir, 'lecture-corrupt.mp4');
  await writeFile(undecodable, scrambleMediaData(await readFile(video)));
  const notMedia = join(dir, 'notes.txt');
  await writeFile(notMedia, 'Lecture notes: sheep are herd animals.\n'.repeat(20));
  const tooLarge = join(dir, 'lecture-huge.wav');
  await writeFile(tooLarge, Buffer.alloc(options.tooLargeBytes));
  return { tone, video, undecodable, notMedia, tooLarge };
}

/**
 * A copy of an MP4 (moov first) whose media data is noise: ffprobe still reads the header and
 * finds H.264 and AAC, but no frame decodes.
 */
export function scrambleMediaData(mp4: Buffer): Buffer {
  const copy = Buffer.from(mp4);
  const start = copy.indexOf('mdat') + 4;
  if (start < 4) throw new Error('not an MP4 with an mdat box');
  let seed = 0x2545f491;
  for (let i = start; i < copy.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    copy[i] = seed >>> 24;
  }
  return copy;
}
