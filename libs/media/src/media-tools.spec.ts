import { lastWords } from './media-tools';

describe('lastWords', () => {
  it("keeps ffmpeg's most frequent error and its last one, without prefixes or paths", () => {
    const stderr = [
      '[h264 @ 0x55a53ffe2ac0] Invalid NAL unit size (2060931643 > 6682).',
      'Error while decoding stream #0:0: Invalid data found when processing input',
      '[h264 @ 0x55a53ffe2ac0] Error splitting the input into NAL units.',
      'Error while decoding stream #0:0: Invalid data found when processing input',
      '    Last message repeated 1 times',
      'Error while decoding stream #0:0: Invalid data found when processing input',
      'Cannot determine format of input stream 0:0 after EOF',
    ].join('\n');
    expect(lastWords(stderr)).toBe(
      'Error while decoding stream #0:0: Invalid data found when processing input; ' +
        'Cannot determine format of input stream 0:0 after EOF',
    );
  });

  it('never repeats a server path ffprobe put in front of its message', () => {
    expect(
      lastWords(
        'file:/srv/courseware/incoming/6786f7c8: Invalid data found when processing input\n',
      ),
    ).toBe('Invalid data found when processing input');
  });
});
