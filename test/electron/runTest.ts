/**
 * Runs the extension-host suite (test/suite) in desktop VS Code through @vscode/test-electron:
 *   npm run test:electron        (= npm run build && node out/test/electron/runTest.js)
 * It downloads VS Code from Microsoft's update servers on first use, so it only works on a machine
 * with internet access and a display (or xvfb-run on Linux). On the offline CI machines the same
 * suite runs inside code-server instead: `bash scripts/e2e/run.sh`.
 *
 * Like run.sh it starts the fake DashScope server (recording every request) and opens a fresh
 * copy of test/fixtures/workspace with a throwaway profile. Tests that need a UI gesture (modal
 * dialogs, input boxes, forged webview messages) skip here: only run.sh can perform them.
 */
import { runTests } from '@vscode/test-electron';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');

async function startFakeServer(tmp: string): Promise<{ url: string; log: string; stop: () => void }> {
  const ready = path.join(tmp, 'fake.json');
  const log = path.join(tmp, 'requests.jsonl');
  // The fake's one entry point, recording every request (as in scripts/e2e/run.sh).
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'test/fake-dashscope/main.ts'), '--port', '0', '--log', log, '--ready', ready], { cwd: repo, stdio: 'inherit' });
  for (let i = 0; i < 300 && !fs.existsSync(ready); i++) await new Promise((r) => setTimeout(r, 100));
  if (!fs.existsSync(ready)) throw new Error('the fake DashScope server did not start');
  return { url: (JSON.parse(fs.readFileSync(ready, 'utf8')) as { url: string }).url, log, stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-electron-'));
  const ws = path.join(tmp, 'workspace');
  fs.cpSync(path.join(repo, 'test/fixtures/workspace'), ws, { recursive: true });
  fs.mkdirSync(path.join(ws, 'ignored'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'ignored/skip-me.txt'), 'git-ignored, must never be indexed: zebra-quokka-marker\n');
  const userData = path.join(tmp, 'user-data');
  const fake = await startFakeServer(tmp);
  let code = 0;
  try {
    await runTests({
      // The downloaded VS Code goes to the git-ignored e2e cache, not to ./.vscode-test.
      cachePath: path.join(repo, '.vscode-e2e/vscode-test'),
      extensionDevelopmentPath: repo,
      extensionTestsPath: path.join(repo, 'out/test/suite/index'),
      launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--user-data-dir', userData],
      extensionTestsEnv: {
        SEMANTIC_WORKSPACE_DASHSCOPE_BASE_URL: fake.url,
        DASHSCOPE_BASE_URL: fake.url,
        DASHSCOPE_API_KEY: 'sk-e2e-env-3c1d9f7a',
        SW_E2E_REQUEST_LOG: fake.log,
        SW_E2E_MODE: 'main',
        SW_E2E_USER_DATA: userData,
      },
    });
  } catch (e) {
    console.error(`test-electron: ${e instanceof Error ? e.message : String(e)}`);
    code = 1;
  } finally {
    fake.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(code);
}

void main();
