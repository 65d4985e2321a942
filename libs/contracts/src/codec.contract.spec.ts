import { discardCommandSchema, transcodeCommandSchema } from './codec.contract';

describe('codec contract schemas', () => {
  const valid = {
    coursewareId: 'c-1',
    source: { uri: 'file:///srv/media/a.wav', format: 'wav' },
    targets: ['mp3-128k', 'thumbnail'],
  };

  it('accepts a well-formed transcode command', () => {
    expect(transcodeCommandSchema.parse(valid)).toEqual(valid);
  });

  it.each([
    [null, 'payload must be an object'],
    [{ ...valid, coursewareId: '' }, 'coursewareId must be a non-empty string'],
    [{ ...valid, source: { uri: 'x', format: 'gif' } }, 'source.format must be one of'],
    [{ ...valid, source: 'x' }, 'source.uri must be a string'],
    [{ ...valid, targets: [] }, 'targets must be a non-empty list'],
    [{ ...valid, targets: ['mp3-128k', '8k'] }, 'targets must be a non-empty list'],
  ])('refuses %j', (payload, problem) => {
    expect(() => transcodeCommandSchema.parse(payload)).toThrow(problem);
  });

  it('checks discard commands', () => {
    expect(discardCommandSchema.parse({ coursewareId: 'c-1' })).toEqual({ coursewareId: 'c-1' });
    expect(() => discardCommandSchema.parse({})).toThrow('coursewareId must be a non-empty string');
  });
});
