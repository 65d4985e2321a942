/* eslint-disable @typescript-eslint/no-require-imports */
import type { ConsoleLogger as NestConsoleLogger } from '@nestjs/common';

/** Nest's timestamp format (services/console-logger.service.js). */
const NEST_TIMESTAMP: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  day: '2-digit',
  month: '2-digit',
};

describe("Nest's logger timestamps, deferred while @nestjs/common loads", () => {
  const runtime = Intl.DateTimeFormat;
  let built: number;

  beforeEach(() => {
    built = 0;
    Intl.DateTimeFormat = new Proxy(runtime, {
      construct(target, args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
        built += 1;
        return new target(...args);
      },
    });
  });

  afterEach(() => {
    Intl.DateTimeFormat = runtime;
  });

  it('imports Nest without building a formatter; ConsoleLogger builds the real one on its first timestamp', () => {
    const counted = Intl.DateTimeFormat;
    let nest!: { ConsoleLogger: typeof NestConsoleLogger; Logger: { getTimestamp(): string } };
    jest.isolateModules(() => {
      require('./deferred-nest-timestamps');
      nest = require('@nestjs/common');
    });
    expect(built).toBe(0);
    // Every other formatter of the process is the runtime's (here, the counting one) again.
    expect(Intl.DateTimeFormat).toBe(counted);

    const logger = new nest.ConsoleLogger('deferred');
    const stamp = (logger as unknown as { getTimestamp(): string }).getTimestamp();
    expect(built).toBe(1);
    const expected = new runtime(undefined, NEST_TIMESTAMP).format(Date.now());
    expect(stamp.slice(0, 10)).toBe(expected.slice(0, 10));
    expect(stamp).toMatch(/^\d{2}\/\d{2}\/\d{4}, \d{1,2}:\d{2}:\d{2} [AP]M$/);
    expect(nest.Logger.getTimestamp()).toMatch(/^\d{2}\/\d{2}\/\d{4}, /);
    expect(built).toBe(2);
  });

  it('without it, importing Nest builds both formatters at once', () => {
    jest.isolateModules(() => require('@nestjs/common'));
    expect(built).toBe(2);
  });
});
