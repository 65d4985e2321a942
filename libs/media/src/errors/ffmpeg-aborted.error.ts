/** The run was cancelled by its caller (a lost lease, a shutdown): nothing is wrong with the input. */
export class FfmpegAbortedError extends Error {
  constructor(tool: string) {
    super(`${tool} was stopped: the work was cancelled`);
    this.name = new.target.name;
  }
}
