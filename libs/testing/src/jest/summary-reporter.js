// A Jest reporter (plain JS: Jest loads reporters without transforming them).
// Prints one closing line in the plain "N passed, N failed" form CI tools read, and fails the
// run when any test was skipped or left as todo: a skip is never counted as a pass here.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    this.results = results;
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stderr.write(
      `\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`,
    );
  }

  getLastError() {
    const results = this.results;
    if (results && results.numPendingTests + results.numTodoTests > 0) {
      return new Error(
        'skipped or todo tests found: fix them or delete them and write the gap in the README',
      );
    }
    return undefined;
  }
}

module.exports = SummaryReporter;
