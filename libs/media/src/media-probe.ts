import { runMediaTool } from './media-tools';

export type MediaKind = 'audio' | 'video';

export interface ProbedStream {
  readonly type: string;
  readonly codec: string | null;
  readonly width: number | null;
  readonly height: number | null;
  /** A cover image inside an audio file, not a video. */
  readonly attachedPicture: boolean;
}

export interface MediaProbe {
  /** ffprobe's `format_name`, e.g. `mov,mp4,m4a,3gp,3g2,mj2`. */
  readonly format: string;
  readonly formatLongName: string;
  readonly durationSeconds: number | null;
  readonly bytes: number | null;
  readonly streams: readonly ProbedStream[];
}

/**
 * Demuxers accepted as input. Anything else is refused before ffmpeg opens it: playlist and
 * concatenation formats (hls, concat, ffconcat) name other files or URLs, images are not media.
 */
export const ACCEPTED_DEMUXERS = [
  'wav',
  'mp3',
  'flac',
  'ogg',
  'aac',
  'mov',
  'matroska',
  'avi',
] as const;

export type MediaClassification =
  { readonly kind: MediaKind; readonly demuxer: string } | { readonly refusal: string };

/** Only local files: `file:` and nothing else, so no input can reach the network. */
export const INPUT_PROTOCOLS = 'file';

/** `-i` arguments for a local file of a known demuxer: no protocol but `file:`, no guessing. */
export function inputArgs(file: string, demuxer: string): string[] {
  return ['-protocol_whitelist', INPUT_PROTOCOLS, '-f', demuxer, '-i', `file:${file}`];
}

/** What ffprobe reads from the bytes of `file` (the name and extension play no part). */
export async function probeMedia(file: string, timeoutMs: number): Promise<MediaProbe> {
  const json = await runMediaTool(
    'ffprobe',
    [
      '-v',
      'error',
      '-protocol_whitelist',
      INPUT_PROTOCOLS,
      '-show_format',
      '-show_streams',
      '-of',
      'json',
      `file:${file}`,
    ],
    { timeoutMs },
  );
  const parsed = JSON.parse(json) as {
    format?: Record<string, string | undefined>;
    streams?: Array<Record<string, unknown>>;
  };
  const number = (value: unknown) =>
    value === undefined || value === 'N/A' || !Number.isFinite(Number(value))
      ? null
      : Number(value);
  return {
    format: parsed.format?.format_name ?? 'unknown',
    formatLongName: parsed.format?.format_long_name ?? parsed.format?.format_name ?? 'unknown',
    durationSeconds: number(parsed.format?.duration),
    bytes: number(parsed.format?.size),
    streams: (parsed.streams ?? []).map((s) => ({
      type: String(s.codec_type ?? 'unknown'),
      codec: typeof s.codec_name === 'string' ? s.codec_name : null,
      width: number(s.width),
      height: number(s.height),
      attachedPicture: (s.disposition as { attached_pic?: number } | undefined)?.attached_pic === 1,
    })),
  };
}

/** Audio, video, or why neither: the one rule both services apply. */
export function classifyMedia(probe: MediaProbe): MediaClassification {
  const demuxer = probe.format.split(',')[0] ?? '';
  const found = `${probe.formatLongName} (${probe.format})`;
  if (!(ACCEPTED_DEMUXERS as readonly string[]).includes(demuxer)) {
    return { refusal: `${found} is not an accepted audio or video container` };
  }
  const hasVideo = probe.streams.some((s) => s.type === 'video' && !s.attachedPicture);
  const hasAudio = probe.streams.some((s) => s.type === 'audio');
  if (!hasVideo && !hasAudio) return { refusal: `${found} holds no audio or video stream` };
  if (!probe.durationSeconds || probe.durationSeconds <= 0) {
    return { refusal: `${found} has no duration` };
  }
  return { kind: hasVideo ? 'video' : 'audio', demuxer };
}
