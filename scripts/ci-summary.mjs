// Prints CI's one summary line, `tests: N passed, N failed[, N skipped]`, counted from the
// vitest JSON reports given as arguments. A missing or unreadable report counts as a failure:
// a suite that did not run must not look green.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
for (const file of process.argv.slice(2)) {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A file that failed to load (syntax error, failed hook) reports no test as failed.
    for (const suite of report.testResults ?? []) {
      if (suite.status === 'failed' && (suite.assertionResults ?? []).every((a) => a.status !== 'failed')) failed += 1;
    }
  } catch {
    console.error(`no test report at ${file}: counted as one failure`);
    missing += 1;
  }
}
failed += missing;
console.log(`tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
