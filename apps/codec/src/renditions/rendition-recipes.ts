import type { MediaKind } from '@herd/media';
import { RENDITIONS, type RenditionName } from '@herd/contracts';

export interface RenditionRecipe {
  readonly name: RenditionName;
  readonly file: string;
  readonly mimeType: string;
  /** ffmpeg output arguments (after the input), or 'waveform' for the peaks JSON. */
  readonly output: ((file: string, durationSeconds: number) => string[]) | 'waveform';
  /** The stream whose codec ffprobe reports for this rendition. */
  readonly stream: 'audio' | 'video' | null;
}

const THREADS = ['-threads', '2'];
const h264 = (height: number) => (file: string) => [
  '-map',
  '0:v:0',
  '-map',
  '0:a:0?',
  '-vf',
  `scale=-2:${height}`,
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  '-crf',
  '26',
  '-pix_fmt',
  'yuv420p',
  '-c:a',
  'aac',
  '-b:a',
  '96k',
  '-movflags',
  '+faststart',
  ...THREADS,
  '-y',
  `file:${file}`,
];

/** Every rendition the codec makes, by name: encoder settings in one place. */
export const RENDITION_RECIPES: Record<RenditionName, RenditionRecipe> = {
  aac: {
    name: 'aac',
    file: 'aac.m4a',
    mimeType: 'audio/mp4',
    stream: 'audio',
    output: (file) => [
      '-vn',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-movflags',
      '+faststart',
      ...THREADS,
      '-y',
      `file:${file}`,
    ],
  },
  opus: {
    name: 'opus',
    file: 'opus.ogg',
    mimeType: 'audio/ogg; codecs=opus',
    stream: 'audio',
    output: (file) => ['-vn', '-c:a', 'libopus', '-b:a', '96k', ...THREADS, '-y', `file:${file}`],
  },
  waveform: {
    name: 'waveform',
    file: 'waveform.json',
    mimeType: 'application/json',
    stream: null,
    output: 'waveform',
  },
  'h264-360p': {
    name: 'h264-360p',
    file: 'h264-360p.mp4',
    mimeType: 'video/mp4',
    stream: 'video',
    output: h264(360),
  },
  'h264-720p': {
    name: 'h264-720p',
    file: 'h264-720p.mp4',
    mimeType: 'video/mp4',
    stream: 'video',
    output: h264(720),
  },
  poster: {
    name: 'poster',
    file: 'poster.jpg',
    mimeType: 'image/jpeg',
    stream: 'video',
    output: (file, duration) => [
      '-map',
      '0:v:0',
      '-ss',
      String(Math.min(1, duration / 2)),
      '-frames:v',
      '1',
      '-vf',
      'scale=-2:720',
      '-q:v',
      '3',
      ...THREADS,
      '-y',
      `file:${file}`,
    ],
  },
};

export function recipesFor(kind: MediaKind): RenditionRecipe[] {
  return RENDITIONS[kind].map((name) => RENDITION_RECIPES[name]);
}

/** The file names the renditions endpoint may serve: nothing else ever leaves the storage. */
export const RENDITION_FILES: ReadonlyMap<string, RenditionRecipe> = new Map(
  Object.values(RENDITION_RECIPES).map((recipe) => [recipe.file, recipe]),
);
