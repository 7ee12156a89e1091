// Fails the Vitest run when any component test was skipped (.skip, .todo, or
// left out by an .only elsewhere): a skipped test checks nothing, and Vitest
// itself exits 0 for one.
import type { Reporter, TestModule } from 'vitest/node';

export default class NoSkipsReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped = modules.flatMap((m) => [...m.children.allTests('skipped')].map((t) => `${m.moduleId}: ${t.fullName}`));
    if (skipped.length === 0) return;
    process.stderr.write(`\n${skipped.length} component test(s) skipped, which the suite does not allow:\n${skipped.map((s) => `  ${s}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}
