// Runs the mocha suite (out/test/suite/index.js) inside code-server's Node extension host, the way
// @vscode/test-web does: the workbench URL carries a `payload` with extensionDevelopmentPath,
// extensionTestsPath and extensionEnvironment; the workbench calls window.codeAutomationLog for
// every extension-host console message and window.codeAutomationExit(code) when run() settles.
//
// Usage: node scripts/e2e/ext-host.mjs --base http://127.0.0.1:P --ws <folder> --dev <extDir>
//          --tests <abs path without .js> --env '<json>' --name main --result <file.json>
//          [--artifacts dir] [--timeout ms]
// The suite prints `SUITE-RESULT {"passed":N,"failed":M}` (test/suite/reporter.ts); this script
// writes that object (or {passed:0, failed:1, error} when the run crashed/timed out) to --result.
//
// UI gestures for the suite: a test cannot type into an input box or post a message
// *from* the sidebar webview through the vscode API. It logs `E2E-UI {"do":…}` instead and this
// script performs the gesture in the page (see uiAction below); the test then observes the effect.
// The suite sets SW_E2E_UI_HELPER=1 only where this helper exists (not under test-electron).
// (Modal dialogs cannot be helped: VS Code refuses them in a window running extensionTestsPath.)
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const require = createRequire(path.join(path.resolve(process.env.E2E_TOOLS || path.join(repo, '.vscode-e2e/tools')), '/'));
const { chromium } = require('playwright-core');

const arg = (n, d) => { const i = process.argv.indexOf(n); return i > 0 ? process.argv[i + 1] : d; };
const base = arg('--base'); const ws = arg('--ws'); const dev = arg('--dev'); const tests = arg('--tests');
const name = arg('--name', 'main'); const resultFile = arg('--result');
const artifacts = arg('--artifacts', path.join(repo, '.test-artifacts'));
const timeoutMs = Number(arg('--timeout', 300000));
const envJson = arg('--env', '{}');
const t0 = Date.now();
const remote = (p) => `vscode-remote://${new URL(base).host}${p}`;
const payload = [['extensionDevelopmentPath', remote(dev)], ['extensionTestsPath', remote(tests)], ['extensionEnvironment', envJson]];

let result;
let actions = Promise.resolve();

/** The host frame of the sidebar webview, within 30 s (the suite focuses the view first; a click on
 *  the activity bar would toggle it, so it is the fallback only once nothing showed for 10 s). */
async function sidebarHostFrame(page) {
  const end = Date.now() + 30000;
  for (let tries = 0; ; tries++) {
    for (const el of await page.locator('iframe.webview.ready').elementHandles()) {
      const host = await el.contentFrame();
      const inner = await (await host?.$('#active-frame'))?.contentFrame();
      if (inner && (await inner.$('#query'))) return host;
    }
    if (Date.now() > end) throw new Error('the sidebar webview (with its #query box) did not appear within 30 s');
    if (tries === 33) await page.locator('.activitybar [aria-label^="Semantic Workspace"]').first().click().catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Performs one gesture requested by the suite. */
async function uiAction(page, a) {
  console.log(`[ext-host:${name}] UI action ${JSON.stringify(a).slice(0, 160)}`);
  const input = page.locator('.quick-input-widget .quick-input-box input');
  switch (a.do) {
    case 'input': // type into the visible input box / quick pick and press Enter
      await input.waitFor({ state: 'visible', timeout: 20000 });
      console.log(`[ext-host:${name}] input box type=${await input.getAttribute('type')}`);
      await input.fill(a.text);
      await page.keyboard.press('Enter');
      return;
    case 'forge': { // post a message exactly as the sidebar's acquireVsCodeApi().postMessage would:
      // through the webview host frame's __vscode_post_message__ (webview content cannot see window.parent).
      // Several webviews can be alive (a panel opened by an earlier test): the sidebar's is the one
      // whose content has the search box.
      const host = await sidebarHostFrame(page);
      for (const message of a.messages) await host.evaluate((m) => window.__vscode_post_message__('onmessage', { message: m }), message);
      return;
    }
    case 'screenshot':
      fs.mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: path.join(artifacts, a.file) });
      return;
    default:
      throw new Error(`unknown UI action ${a.do}`);
  }
}
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-chrome-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, viewport: { width: 1400, height: 900 },
  env: { ...process.env, XDG_CONFIG_HOME: `${profile}/xdg-config`, XDG_CACHE_HOME: `${profile}/xdg-cache` },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = ctx.pages()[0] || (await ctx.newPage());
  let done;
  const exited = new Promise((r) => (done = r));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = util.format(...(Array.isArray(args) ? args : [args]));
    const m = /SUITE-RESULT (\{.*\})/.exec(line);
    if (m) result = JSON.parse(m[1]);
    const a = /E2E-UI (\{.*\})/.exec(line);
    if (a) actions = actions.then(() => uiAction(page, JSON.parse(a[1]))).catch((e) => console.log(`[ext-host:${name}] UI action failed: ${e.message}`));
    console.log(`[ext-host:${name}${type === 'error' ? ' ERR' : ''}] ${line}`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => done(code));
  await page.goto(`${base}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), timeoutMs))]);
  console.log(`[ext-host:${name}] exit code ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (code !== 0 || !result) {
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, `ext-host-${name}-end.png`) }).catch(() => {});
  }
  if (!result) result = { passed: 0, failed: 1, error: `no SUITE-RESULT (exit ${code})` };
  else if (code !== 0 && result.failed === 0) result = { ...result, failed: 1, error: `exit ${code} with 0 failed tests` };
} finally {
  await ctx.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
}
if (resultFile) fs.writeFileSync(resultFile, JSON.stringify(result));
process.exit(result.failed ? 1 : 0);
