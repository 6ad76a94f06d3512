/**
 * A mocha reporter that writes through console.log only: in code-server's extension host
 * console output is what reaches the harness (window.codeAutomationLog), while process.stdout is
 * not forwarded. Ends with one machine-readable line, `SUITE-RESULT {"passed":N,"failed":M,…}`,
 * which scripts/e2e/ext-host.mjs and test/electron/runTest.ts turn into the count line.
 * (It never prints "N passed, N failed" itself: scripts/test-all.mjs would double count it.)
 */
import type Mocha from 'mocha';

export function consoleReporter(MochaCtor: typeof Mocha): new (runner: Mocha.Runner) => unknown {
  const { EVENT_SUITE_BEGIN, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = MochaCtor.Runner.constants;
  return class ConsoleReporter {
    constructor(runner: Mocha.Runner) {
      let passed = 0;
      let failed = 0;
      let pending = 0;
      const failures: string[] = [];
      runner.on(EVENT_SUITE_BEGIN, (s: Mocha.Suite) => {
        if (s.title) console.log(`• ${s.fullTitle()}`);
      });
      runner.on(EVENT_TEST_PASS, (t: Mocha.Test) => {
        passed++;
        console.log(`  ✓ ${t.title} (${t.duration ?? 0} ms)`);
      });
      runner.on(EVENT_TEST_FAIL, (t: Mocha.Test, err: Error) => {
        failed++;
        // The reason goes into the closing summary too: CI excerpts often keep only the last lines.
        failures.push(`${t.fullTitle()} — ${(err?.message ?? String(err)).split('\n')[0].slice(0, 300)}`);
        console.log(`  ✗ ${t.title}`);
        const msg = (err?.message ?? String(err)).split('\n').slice(0, 6).join('\n      ');
        console.log(`    ↳ ${msg}`);
        if (err?.stack) console.log(err.stack.split('\n').slice(1, 5).join('\n'));
      });
      runner.on(EVENT_TEST_PENDING, (t: Mocha.Test) => {
        pending++;
        console.log(`  - ${t.title} (skipped)`);
      });
      runner.once(EVENT_RUN_END, () => {
        for (const f of failures) console.log(`  ✗ FAILED: ${f}`);
        console.log(`SUITE-RESULT ${JSON.stringify({ passed, failed, pending })}`);
      });
    }
  };
}
