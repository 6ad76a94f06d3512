/**
 * Entry point of the extension-host suite (`extensionTestsPath` → out/test/suite/index.js).
 * The same bundle runs in code-server (scripts/e2e/run.sh) and in desktop VS Code through
 * @vscode/test-electron (test/electron/runTest.ts).
 *
 * esbuild bundles every test file into this one module, so test files cannot be discovered by
 * glob at run time: each exports a `register*()` function that declares its suites once mocha has
 * installed the tdd globals (`suite`, `test`, …) via the `pre-require` event. `mocha` itself stays
 * external (scripts/build.mjs) and resolves from the repository's node_modules.
 */
import Mocha from 'mocha';
import { registerActivationTests } from './activation.test';
import { registerAgentTests } from './agents.test';
import { registerIndexTests } from './indexing.test';
import { registerPanelTests, registerWalkthroughBeforeIndexTests } from './panels.test';
import { registerRemoteTests } from './remote.test';
import { registerRerankTests } from './rerank.test';
import { registerRestrictedTests } from './restricted.test';
import { registerSecurityTests } from './security.test';
import { registerSettingScopeTests } from './settingScope.test';
import { registerTeamTests } from './team.test';
import { registerTeamRestrictedTests } from './teamRestricted.test';
import { mode } from './helpers';
import { consoleReporter } from './reporter';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: consoleReporter(Mocha) as never });
  mocha.suite.emit('pre-require', globalThis, 'bundle', mocha);
  // Restricted Mode needs a workspace opened untrusted, i.e. a separate window: run.sh runs this
  // bundle twice, once per SW_E2E_MODE.
  if (mode() === 'restricted') {
    registerRestrictedTests();
    registerTeamRestrictedTests();
  } else {
    registerActivationTests();
    registerWalkthroughBeforeIndexTests();
    registerIndexTests();
    registerPanelTests();
    registerAgentTests();
    registerRemoteTests();
    registerSecurityTests();
    registerSettingScopeTests();
    // Last: it leaves a DashScope-built index behind.
    registerRerankTests();
    // After it: real PostgreSQL (PGlite) in a child process, DashScope index and consent of its own.
    registerTeamTests();
  }
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    } catch (e) {
      reject(e);
    }
  });
}
