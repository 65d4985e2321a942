import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';

/** A real, playable WAV file: a 440 Hz tone, 8 kHz mono 16-bit PCM. */
export async function writeWav(path: string, seconds: number): Promise<void> {
  const rate = 8000;
  const samples = rate * seconds;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 0.3 * 32767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  await writeFile(path, Buffer.concat([header, data]));
}

/** The services' JSON logs go to a file, so the demo's own report stays readable. */
export function logFile(path: string): { write(line: string): boolean } {
  return createWriteStream(path, { flags: 'a' });
}
