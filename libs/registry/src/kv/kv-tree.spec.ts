import { kvPaths, kvTree } from './kv-tree';

const entries = [
  { Key: 'config/courseware/', Value: null },
  { Key: 'config/courseware/db/pool', Value: '10' },
  { Key: 'config/courseware/db/url', Value: 'postgres://x' },
  { Key: 'config/courseware/feature', Value: 'on' },
  { Key: 'config/coursewarex/other', Value: 'not ours' },
];

describe('KV paths', () => {
  it('turns keys under the prefix into dotted paths, skipping folders and neighbours', () => {
    expect([...kvPaths('config/courseware', entries)]).toEqual([
      ['db.pool', '10'],
      ['db.url', 'postgres://x'],
      ['feature', 'on'],
    ]);
  });

  it('nests them for @nestjs/config', () => {
    expect(kvTree('config/courseware/', entries)).toEqual({
      db: { pool: '10', url: 'postgres://x' },
      feature: 'on',
    });
  });
});
