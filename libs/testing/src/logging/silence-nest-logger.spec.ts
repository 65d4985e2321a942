import { Logger } from '@nestjs/common';
import { silenceNestLogger } from './silence-nest-logger';

describe('silenceNestLogger', () => {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };

  beforeEach(() => {
    written.length = 0;
    jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  });
  afterEach(() => jest.restoreAllMocks());

  describe('in a silenced suite', () => {
    silenceNestLogger();

    it('prints nothing at any level', () => {
      const logger = new Logger('Sheep');
      logger.debug('expected debug');
      logger.warn('expected warning');
      logger.error('expected error');
      expect(written).toEqual([]);
    });
  });

  it('prints again once the silenced suite is over', () => {
    new Logger('Sheep').warn('heard again');
    expect(written.join('')).toContain('heard again');
  });
});
