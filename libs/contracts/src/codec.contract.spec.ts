import { discardCommandSchema, transcodeCommandSchema } from './codec.contract';
import { coursewareSourcePath } from './courseware.contract';

describe('codec contract schemas', () => {
  const id = '0b6a8a4e-2c1f-4c39-9b1e-5d0c3a7f9e21';
  const valid = { coursewareId: id, kind: 'audio' };

  it('accepts a well-formed transcode command', () => {
    expect(transcodeCommandSchema.parse(valid)).toEqual(valid);
  });

  it.each([
    [null, 'payload must be an object'],
    [{ ...valid, coursewareId: '../../etc' }, 'coursewareId must be a UUID'],
    [{ ...valid, kind: 'pdf' }, 'kind must be one of audio, video'],
    [
      { ...valid, source: { uri: 'file:///proc/self/environ' } },
      'source is not part of the command (ids only: no paths or URLs)',
    ],
    [{ ...valid, url: 'http://169.254.169.254/' }, 'url is not part of the command'],
  ])('refuses %j', (payload, problem) => {
    expect(() => transcodeCommandSchema.parse(payload)).toThrow(problem);
  });

  it('checks discard commands', () => {
    expect(discardCommandSchema.parse({ coursewareId: id })).toEqual({ coursewareId: id });
    expect(() => discardCommandSchema.parse({})).toThrow('coursewareId must be a UUID');
    expect(() => discardCommandSchema.parse({ coursewareId: id, path: '/tmp' })).toThrow(
      'path is not part of the command',
    );
  });

  it('builds the source path from the id alone', () => {
    expect(coursewareSourcePath(id)).toBe(`/coursewares/${id}/source`);
  });
});
