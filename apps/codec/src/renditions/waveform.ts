import { createReadStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { runMediaTool, type MediaToolRunOptions } from '@herd/media';

const SAMPLE_RATE = 8000;
const PEAKS_PER_SECOND = 10;
const SAMPLES_PER_PEAK = SAMPLE_RATE / PEAKS_PER_SECOND;

export interface Waveform {
  readonly peaksPerSecond: number;
  readonly durationSeconds: number;
  /** Loudest absolute sample of each slice, 0–1, three decimals. */
  readonly peaks: number[];
}

/** Decodes the audio to mono 16-bit PCM with ffmpeg, then keeps one peak per slice as JSON. */
export async function writeWaveform(
  input: readonly string[],
  jsonFile: string,
  durationSeconds: number,
  options: MediaToolRunOptions,
): Promise<void> {
  const pcm = `${jsonFile}.pcm`;
  await runMediaTool(
    'ffmpeg',
    [...input, '-vn', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 's16le', '-y', `file:${pcm}`],
    options,
  );
  const waveform: Waveform = {
    peaksPerSecond: PEAKS_PER_SECOND,
    durationSeconds,
    peaks: await peaksOf(pcm),
  };
  await writeFile(jsonFile, JSON.stringify(waveform));
  await rm(pcm, { force: true });
}

/** Streams signed 16-bit little-endian samples; a sample split across chunks is carried over. */
export async function peaksOf(pcmFile: string): Promise<number[]> {
  const peaks: number[] = [];
  let peak = 0;
  let inSlice = 0;
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(pcmFile)) {
    const data = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const whole = data.length - (data.length % 2);
    for (let offset = 0; offset < whole; offset += 2) {
      peak = Math.max(peak, Math.abs(data.readInt16LE(offset)) / 32768);
      if (++inSlice === SAMPLES_PER_PEAK) {
        peaks.push(Math.round(peak * 1000) / 1000);
        peak = 0;
        inSlice = 0;
      }
    }
    carry = data.subarray(whole);
  }
  if (inSlice > 0) peaks.push(Math.round(peak * 1000) / 1000);
  return peaks;
}
