/** The command line itself is wrong (missing URL, unreadable file, bad number): exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
