import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peaksOf } from './waveform';

describe('peaksOf', () => {
  it('keeps the loudest sample of each tenth of a second, the last slice partial', async () => {
    const samples = new Int16Array(800 * 2 + 10);
    samples[10] = 16384; // slice 1: 0.5
    samples[900] = -32768; // slice 2: 1.0
    samples[1605] = 3277; // partial slice 3: ~0.1
    const file = join(await mkdtemp(join(tmpdir(), 'herd-peaks-')), 'audio.pcm');
    await writeFile(file, Buffer.from(samples.buffer));
    expect(await peaksOf(file)).toEqual([0.5, 1, 0.1]);
  });
});
