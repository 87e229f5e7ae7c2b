// Ends a Jest run with one plain line, "tests: N passed, N failed", which log readers that know
// other test runners (pytest, go test, …) also recognise as a test summary. It is written when the
// process exits because Jest prints its own summary after every configured reporter has finished.
class ClosingLineReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `tests: ${results.numPassedTests} passed, ${failed} failed\n`;
    process.once('exit', () => process.stdout.write(line));
  }
}

module.exports = ClosingLineReporter;
