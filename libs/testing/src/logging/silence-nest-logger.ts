import { ConsoleLogger, Logger } from '@nestjs/common';

/**
 * Silences Nest's `Logger` for the suite it is called in, and gives the console logger back after
 * it: for suites that provoke failures on purpose, whose expected DEBUG/WARN lines would otherwise
 * bury the report. Call it at the top of a `describe`.
 */
export function silenceNestLogger(): void {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));
}
