// Prints one plain closing line, "jest: N passed, N failed, N skipped", that CI tooling can read.
class SummaryReporter {
	onRunComplete(_contexts, results) {
		const {
			numPassedTests,
			numFailedTests,
			numPendingTests,
			numTodoTests,
			numFailedTestSuites,
			numRuntimeErrorTestSuites,
		} = results;
		const failed =
			numFailedTests + (numFailedTests === 0 ? numFailedTestSuites + numRuntimeErrorTestSuites : 0);
		process.stdout.write(
			`\njest: ${numPassedTests} passed, ${failed} failed, ${numPendingTests + numTodoTests} skipped\n`,
		);
	}
}
module.exports = SummaryReporter;
