import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FfmpegError,
  FfmpegTimeoutError,
  classifyMedia,
  inputArgs,
  probeMedia,
  runMediaTool,
  type MediaKind,
} from '@herd/media';
import type { Rendition } from '@herd/contracts';
import { SourceMediaError } from '../errors/source-media.error';
import { recipesFor, type RenditionRecipe } from './rendition-recipes';
import { writeWaveform } from './waveform';

export interface TranscodeRun {
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** 0–1 over all renditions of the job. */
  readonly onProgress: (fraction: number) => void;
}

export type MadeRendition = Omit<Rendition, 'path'> & { readonly file: string };

export interface TranscodeResult {
  readonly durationSeconds: number;
  readonly renditions: MadeRendition[];
}

/** Longest ffprobe run; probing reads headers and a few packets only. */
const PROBE_TIMEOUT_MS = 30_000;

/**
 * Real ffmpeg work: the source is probed (from its bytes), refused unless it is audio or video of
 * an accepted container, then each rendition of its kind is encoded and read back with ffprobe.
 * Inputs are opened through `file:` only (no network protocol) with their demuxer named.
 */
export class MediaTranscoder {
  async transcode(
    expected: MediaKind,
    source: string,
    outDir: string,
    run: TranscodeRun,
  ): Promise<TranscodeResult> {
    const probe = await this.refusingBadMedia(() => probeMedia(source, PROBE_TIMEOUT_MS));
    const media = classifyMedia(probe);
    if ('refusal' in media) throw new SourceMediaError(media.refusal);
    if (media.kind !== expected) {
      throw new SourceMediaError(`the source is ${media.kind}, not ${expected}`);
    }
    const durationSeconds = probe.durationSeconds as number;
    const input = inputArgs(source, media.demuxer);
    const recipes = recipesFor(media.kind);
    const renditions: MadeRendition[] = [];
    for (const [index, recipe] of recipes.entries()) {
      const file = join(outDir, recipe.file);
      const options = {
        timeoutMs: run.timeoutMs,
        signal: run.signal,
        onProgress: (seconds: number) =>
          run.onProgress((index + Math.min(1, seconds / durationSeconds)) / recipes.length),
      };
      await this.refusingBadMedia(async () => {
        if (recipe.output === 'waveform') {
          await writeWaveform(input, file, durationSeconds, options);
        } else {
          await runMediaTool(
            'ffmpeg',
            [...input, ...recipe.output(file, durationSeconds)],
            options,
          );
        }
      });
      renditions.push(await this.readBack(recipe, file));
      run.onProgress((index + 1) / recipes.length);
    }
    return { durationSeconds, renditions };
  }

  /** What ffprobe says about the file just written: the numbers the reply reports. */
  private async readBack(recipe: RenditionRecipe, file: string): Promise<MadeRendition> {
    const { size } = await stat(file);
    const base = { name: recipe.name, file: recipe.file, mimeType: recipe.mimeType, bytes: size };
    if (!recipe.stream) {
      return { ...base, codec: null, durationSeconds: null, width: null, height: null };
    }
    const probe = await probeMedia(file, PROBE_TIMEOUT_MS);
    const stream = probe.streams.find((s) => s.type === recipe.stream);
    return {
      ...base,
      codec: stream?.codec ?? null,
      durationSeconds: recipe.name === 'poster' ? null : probe.durationSeconds,
      width: stream?.width ?? null,
      height: stream?.height ?? null,
    };
  }

  /** ffmpeg refusing the input is the source's fault: a readable reason, no retry. */
  private async refusingBadMedia<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof FfmpegTimeoutError) throw new SourceMediaError(error.message);
      if (error instanceof FfmpegError) {
        throw new SourceMediaError(`ffmpeg could not decode the source: ${error.reason}`);
      }
      throw error;
    }
  }
}
