/**
 * Prints one plain closing line, "tests: N passed, N failed, N skipped", that CI and tools can
 * read regardless of the runner's own formatting.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    let passed = 0, failed = 0, skipped = 0;
    for (const m of modules) {
      let moduleFailed = 0;
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s === 'passed') passed++;
        else if (s === 'failed') { failed++; moduleFailed++; }
        else skipped++;
      }
      // A file whose setup failed counts as a failure even if its tests were only skipped.
      if (m.state() === 'failed' && moduleFailed === 0) failed++;
    }
    failed += errors.length;
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
