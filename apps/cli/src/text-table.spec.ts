import { formatTable } from './text-table';

describe('formatTable', () => {
  it('aligns every column to its widest cell and rules the header', () => {
    expect(
      formatTable(
        ['server', 'state'],
        [
          ['postgres', 'healthy'],
          ['kafka', 'down'],
        ],
      ),
    ).toBe('server    state\n--------  -------\npostgres  healthy\nkafka     down\n');
  });
});
