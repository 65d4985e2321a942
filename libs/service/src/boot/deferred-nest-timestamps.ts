/**
 * @nestjs/common builds two `Intl.DateTimeFormat` as soon as it is imported, for ConsoleLogger's
 * and Logger's timestamps. Building one loads ICU's date and time zone data and the code that
 * reads it: about 5 MB of a service's idle RSS (`npm run bench -- images`), spent even though a
 * Herd service logs through pino from its first line (`bufferLogs`) and never prints them. While
 * Nest loads, its two formatters are made to build the real one on first use instead; every other
 * `Intl.DateTimeFormat` in the process is the runtime's own, restored right after.
 */
const RuntimeDateTimeFormat = Intl.DateTimeFormat;

class DeferredDateTimeFormat {
  private formatter?: Intl.DateTimeFormat;

  constructor(
    private readonly locales?: string | string[],
    private readonly options?: Intl.DateTimeFormatOptions,
  ) {}

  format(date?: Date | number): string {
    return this.real().format(date);
  }

  formatToParts(date?: Date | number): Intl.DateTimeFormatPart[] {
    return this.real().formatToParts(date);
  }

  resolvedOptions(): Intl.ResolvedDateTimeFormatOptions {
    return this.real().resolvedOptions();
  }

  private real(): Intl.DateTimeFormat {
    this.formatter ??= new RuntimeDateTimeFormat(this.locales, this.options);
    return this.formatter;
  }
}

Intl.DateTimeFormat = DeferredDateTimeFormat as unknown as typeof Intl.DateTimeFormat;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@nestjs/common');
} finally {
  Intl.DateTimeFormat = RuntimeDateTimeFormat;
}
