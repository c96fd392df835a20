// Prints CI's one summary line, `tests: N passed, N failed[, N skipped]`, counted from the
// vitest JSON reports given as arguments. A missing or unreadable report counts as a failure:
// a suite that did not run must not look green. Each failed test is named just above the
// line, with the first line of its failure, so the tail of a CI log says what failed.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
const failures = [];
for (const file of process.argv.slice(2)) {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A file that failed to load (syntax error, failed hook) reports no test as failed.
    for (const suite of report.testResults ?? []) {
      const name = relative(process.cwd(), suite.name ?? '?');
      const failedTests = (suite.assertionResults ?? []).filter((a) => a.status === 'failed');
      for (const test of failedTests) failures.push(`${name} › ${test.fullName ?? test.title}: ${firstLine(test.failureMessages?.[0])}`);
      if (suite.status === 'failed' && failedTests.length === 0) {
        failed += 1;
        failures.push(`${name}: ${firstLine(suite.message) || 'the file failed without a failed test'}`);
      }
    }
  } catch {
    console.error(`no test report at ${file}: counted as one failure`);
    missing += 1;
  }
}
failed += missing;
for (const failure of failures) console.log(`failed: ${failure}`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);

function firstLine(text) {
  return String(text ?? '').split('\n').find((line) => line.trim() !== '')?.trim().slice(0, 300) ?? '';
}
