// Helpers of the Playwright UI suite (test/ui/ui.mjs): browser launch, a tiny test runner that
// screenshots every failure, and workbench gestures (palette, quick open, context menu, webview).
// Selectors follow VS Code 1.139's DOM as served by code-server; see docs/vscode-e2e-offline.md.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
// playwright-core lives in the e2e tool cache, not in the repo's devDependencies.
const require = createRequire(path.join(path.resolve(process.env.E2E_TOOLS || path.join(repo, '.vscode-e2e/tools')), '/'));
const { chromium } = require('playwright-core');

export const arg = (n, d) => { const i = process.argv.indexOf(n); return i > 0 ? process.argv[i + 1] : d; };
const t0 = Date.now();
export const log = (...a) => console.log(`[ui ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

// Each check runs in its own async context. When a check times out its context is marked dead:
// from then on every gesture it still attempts (any Page/Locator/Frame/Keyboard/Mouse method) and
// every sleep/wait it is in throws at once, so a timed-out check cannot keep driving the page
// while the next check runs.
const checkContext = new AsyncLocalStorage();
const PLAYWRIGHT_CLASSES = new Set(['Page', 'Locator', 'FrameLocator', 'Frame', 'Keyboard', 'Mouse', 'Touchscreen', 'ElementHandle', 'JSHandle']);
const guarded = new WeakMap();
function assertAlive() {
  const c = checkContext.getStore();
  if (c?.dead) throw new Error(`check "${c.name}" timed out: it may not drive the page any more`);
}
/** The Playwright object behind a proxy that refuses method calls from a timed-out check. */
function guard(value) {
  if (value === null || typeof value !== 'object') return value;
  if (typeof value.then === 'function') return value.then(guard);
  if (Array.isArray(value)) return value.map(guard);
  // The bundle names some classes `_Locator`, `_Page`.
  if (!PLAYWRIGHT_CLASSES.has(String(value.constructor?.name).replace(/^_+/, ''))) return value;
  if (guarded.has(value)) return guarded.get(value);
  const proxy = new Proxy(value, {
    get(target, key) {
      const v = Reflect.get(target, key, target);
      // Public objects (page.keyboard, page.mouse) are guarded too; internals (`_frame`) stay raw,
      // Playwright compares them by identity.
      if (typeof v !== 'function') return typeof key === 'string' && !key.startsWith('_') ? guard(v) : v;
      if (key === 'constructor') return v;
      return (...args) => {
        assertAlive();
        return guard(v.apply(target, args));
      };
    },
  });
  guarded.set(value, proxy);
  return proxy;
}

export const sleep = (ms) => new Promise((resolve, reject) => {
  assertAlive();
  setTimeout(() => {
    try {
      assertAlive();
      resolve();
    } catch (e) {
      reject(e);
    }
  }, ms);
});

/** Polls `fn` (every `everyMs`) until it returns a truthy value, which it returns; throws `what` after `timeoutMs`. */
export async function waitUntil(what, fn, timeoutMs = 15_000, everyMs = 100) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      if (checkContext.getStore()?.dead) throw e;
      last = e;
    }
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(everyMs);
  }
}

/** Waits until `locator`'s box stops moving (animations and late layout done): before a screenshot. */
export async function settled(locator, timeoutMs = 5_000) {
  let last = '';
  await waitUntil('the element settles', async () => {
    const now = JSON.stringify(await locator.boundingBox());
    const same = now === last && now !== 'null';
    last = now;
    return same;
  }, timeoutMs, 120);
}

export async function launch(profileDir) {
  // Debian's chromium (never `playwright install`); flags keep it off the network and GPU.
  const ctx = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    viewport: { width: 1400, height: 860 },
    env: { ...process.env, XDG_CONFIG_HOME: `${profileDir}/xdg-config`, XDG_CACHE_HOME: `${profileDir}/xdg-cache` },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return { ctx, page: guard(ctx.pages()[0] || (await ctx.newPage())) };
}

/** Runs named checks in order; a failure screenshots the page and the run goes on (`quiet`: no log, no screenshot). */
export function runner(page, artifacts, { quiet = false } = {}) {
  const results = [];
  return {
    results,
    async check(name, fn, timeoutMs = 90_000) {
      // SW_UI_ONLY=<regex> runs just the matching checks (plus the first two, which open and index
      // the workspace): for iterating on one check; the full suite never sets it.
      const only = process.env.SW_UI_ONLY;
      if (only && results.length >= 2 && !new RegExp(only, 'i').test(name)) { results.push({ name, ok: true, skipped: true }); return; }
      const t = Date.now();
      const context = { name, dead: false };
      const run = checkContext.run(context, fn);
      run.catch(() => {}); // after a timeout its rejection (the next refused gesture) is expected
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => {
          context.dead = true;
          reject(new Error(`timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        await Promise.race([run, timeout]).finally(() => clearTimeout(timer));
        results.push({ name, ok: true });
        if (!quiet) log(`✓ ${name} (${Date.now() - t} ms)`);
      } catch (e) {
        results.push({ name, ok: false, error: e.message });
        if (quiet) return;
        const shot = path.join(artifacts, `ui-fail-${results.length}-${name.replace(/[^\w]+/g, '-').slice(0, 60)}.png`);
        await page.screenshot({ path: shot }).catch(() => {});
        log(`✗ ${name}\n    ↳ ${e.message.split('\n').slice(0, 4).join('\n      ')}\n    screenshot: ${path.relative(repo, shot)}`);
        await resetUi(page);
      }
    },
  };
}

/**
 * The runner's own guarantee, checked on a blank page of `ctx`: a check that times out while it
 * keeps clicking is stopped — its next gesture throws and no click reaches the page after the
 * timeout — and the next check drives the page normally.
 */
export async function runnerSelfTest(ctx) {
  const page = guard(await ctx.newPage());
  try {
    await page.setContent('<button id="b" onclick="window.clicks = (window.clicks || 0) + 1">go</button>');
    const inner = runner(page, os.tmpdir(), { quiet: true });
    let refused = '';
    await inner.check('clicks forever', async () => {
      for (;;) {
        try {
          await page.locator('#b').click();
        } catch (e) {
          refused = e.message;
          throw e;
        }
        await new Promise((r) => setTimeout(r, 30));
      }
    }, 400);
    // A click already on its way when the check timed out may still land: let it settle first, so
    // only gestures *started* after the timeout would count against the guard.
    await new Promise((r) => setTimeout(r, 1000));
    const atTimeout = await page.evaluate(() => window.clicks ?? 0);
    await inner.check('the next check', () => page.locator('#b').click());
    await new Promise((r) => setTimeout(r, 300));
    const clicks = await page.evaluate(() => window.clicks ?? 0);
    if (inner.results[0].ok || !/timed out/.test(inner.results[0].error)) throw new Error(`the looping check did not time out: ${JSON.stringify(inner.results[0])}`);
    if (!/may not drive the page/.test(refused)) throw new Error(`the timed-out check's next gesture was not refused (${refused || 'no error'})`);
    if (!inner.results[1].ok || clicks !== atTimeout + 1) throw new Error(`after the timeout ${clicks - atTimeout} click(s) reached the page; only the next check's one may`);
  } finally {
    await page.close();
  }
}

/** After a failure: close a leftover modal dialog, menu or picker so the next check starts clean. */
export async function resetUi(page) {
  for (let i = 0; i < 3; i++) {
    const dialog = page.locator('.monaco-dialog-box');
    if (await dialog.isVisible().catch(() => false)) {
      await dialog.locator('.dialog-close, .monaco-button').last().click({ timeout: 2000 }).catch(() => {});
    }
    await page.keyboard.press('Escape').catch(() => {});
    await sleep(150);
  }
}

/** package.nls.json, overlaid with package.nls.<locale>.json when a locale is given (as VS Code does). */
export function manifestStrings(locale) {
  const read = (f) => (fs.existsSync(path.join(repo, f)) ? JSON.parse(fs.readFileSync(path.join(repo, f), 'utf8')) : {});
  return { ...read('package.nls.json'), ...(locale ? read(`package.nls.${locale}.json`) : {}) };
}

/** vscode.l10n.t for `locale` from l10n/bundle.l10n.<locale>.json (the English text when untranslated). */
export function l10n(locale) {
  const file = path.join(repo, 'l10n', `bundle.l10n.${locale}.json`);
  const bundle = JSON.parse(fs.readFileSync(file, 'utf8'));
  return (english) => {
    const v = bundle[english];
    return typeof v === 'string' ? v : v?.message ?? english;
  };
}

/** "Category: Title" of a contributed command, as the palette shows it (resolves %nls% keys, optionally for a locale). */
export function commandTitle(id, locale) {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const nls = manifestStrings(locale);
  const t = (s) => (typeof s === 'string' ? s.replace(/^%(.+)%$/, (_, k) => nls[k] ?? s) : s?.value ?? '');
  const c = (pkg.contributes?.commands ?? []).find((x) => x.command === id);
  if (!c) throw new Error(`package.json contributes no command ${id}`);
  const title = t(c.title);
  return c.category ? `${t(c.category)}: ${title}` : title;
}

export const quickInput = (page) => page.locator('.quick-input-widget .quick-input-box input');
export const quickRows = (page) => page.locator('.quick-input-widget .monaco-list-row');

/** Row texts of the picker once they stop changing (live results arrive after each keystroke's debounce). */
export async function stableRows(page, quietMs = 600, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  let last = JSON.stringify(await quickRows(page).allInnerTexts());
  for (;;) {
    await sleep(quietMs);
    const now = JSON.stringify(await quickRows(page).allInnerTexts());
    if (now === last || Date.now() > end) return JSON.parse(now).map((r) => r.replace(/\s+/g, ' ').trim());
    last = now;
  }
}

/**
 * Gives the keyboard back to the workbench. A click inside a webview leaves focus in its iframe,
 * where F1 / Ctrl+P never reach VS Code's keybinding service; blurring the iframe fixes that
 * without clicking anything that could act.
 */
export async function focusWorkbench(page) {
  for (let i = 0; i < 3; i++) {
    const inFrame = await page.evaluate(() => {
      const a = document.activeElement;
      if (a && a.tagName === 'IFRAME') { a.blur(); return true; }
      return false;
    });
    if (!inFrame) return;
    await sleep(100);
  }
}

/** F1, type `>title`, click the row of that command. */
export async function runCommand(page, title) {
  await focusWorkbench(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
  await quickInput(page).fill(`>${title}`);
  // Click the row whose label is the title (its aria-label may append the keybinding): the fuzzy
  // filter may rank another command first.
  const end = Date.now() + 10_000;
  for (;;) {
    const labels = await quickRows(page).evaluateAll((rs) => rs.map((r) => r.getAttribute('aria-label') ?? ''));
    const i = labels.findIndex((l) => l === title || l.startsWith(`${title},`));
    if (i >= 0) { await quickRows(page).nth(i).click(); return; }
    if (Date.now() > end) { log(`  (no palette row labelled ${JSON.stringify(title)}; rows: ${JSON.stringify(labels.slice(0, 3))})`); break; }
    await sleep(150);
  }
  await quickRows(page).filter({ hasText: title }).first().click();
}

/** Ctrl+P quick open of a workspace file. */
export async function openFile(page, relPath) {
  await focusWorkbench(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
  await quickInput(page).fill(relPath);
  // Click the file's own row: Enter would take the focused row, which can still be a recently
  // opened file while the filter catches up.
  await quickRows(page).filter({ hasText: path.basename(relPath) }).first().click({ timeout: 10_000 });
  await activeTab(page, path.basename(relPath));
}

/** Waits until the active editor tab is `name`. */
export async function activeTab(page, name, timeout = 15_000) {
  await page.locator('.tabs-container .tab.active', { hasText: name }).first().waitFor({ timeout });
}

/** Cursor line from the status bar's "Ln 12, Col 3". */
export async function cursorLine(page) {
  const item = page.locator('.statusbar-item[id="status.editor.selection"]').first();
  await item.waitFor({ timeout: 10_000 });
  const m = /Ln (\d+)/.exec((await item.textContent()) ?? '');
  if (!m) throw new Error(`no cursor position in the status bar: ${await item.textContent()}`);
  return Number(m[1]);
}

/** The project's status bar item (id semanticWorkspace.status; aria label "Semantic Workspace — …"). */
export const statusItem = (page) => page.locator('.statusbar-item[id$="semanticWorkspace.status"], .statusbar-item[aria-label^="Semantic Workspace"]').first();

/** The sidebar WebviewView's inner document. */
export const sidebarFrame = (page) => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

/** Opens the sidebar through its activity bar entry; `title` is the view container's (localized) title. */
export async function openSidebar(page, title = 'Semantic Workspace') {
  const frame = sidebarFrame(page);
  if (await frame.locator('#query').isVisible().catch(() => false)) return frame;
  // Clicking the icon of the container already shown hides the side bar: click only when another
  // container (or none) is showing. A webview still loading is waited for, never toggled away.
  const shown = page.locator('.part.sidebar .composite.title', { hasText: title }).first();
  if (!(await shown.isVisible().catch(() => false))) await page.locator(`.activitybar [aria-label^="${title}"]`).first().click({ timeout: 15_000 });
  const visible = (ms) => frame.locator('#query').waitFor({ timeout: ms }).then(() => true, () => false);
  if (await visible(20_000)) return frame;
  // Said in the log, never silent: a view left blank by the workbench's webview host (seen once in
  // CI under load, for ~150 s) is reloaded the way a user would; a page of ours that fails stays failed.
  log(`  the sidebar webview is still blank after 20 s: running "Developer: Reload Webviews"`);
  await runCommand(page, 'Developer: Reload Webviews');
  await frame.locator('#query').waitFor({ timeout: 30_000 });
  return frame;
}

/** Right-click `target` (on the selection: elsewhere would move the cursor and drop it) and return the menu's item names. */
export async function contextMenuItems(page, target) {
  await target.click({ button: 'right' });
  const menu = page.getByRole('menu').first();
  await menu.waitFor({ timeout: 10_000 });
  await page.getByRole('menuitem').first().waitFor({ timeout: 10_000 });
  await settled(menu);
  return (await page.getByRole('menuitem').allTextContents()).map((s) => s.trim());
}

/**
 * Posts `message` into the extension exactly as the sidebar's acquireVsCodeApi().postMessage does:
 * through `__vscode_post_message__` of the webview's host frame (pre/index.html). The page inside
 * cannot be used for this: VS Code hides `window.parent` from webview content.
 */
export async function postFromSidebar(page, message) {
  const host = await (await page.locator('iframe.webview.ready').first().elementHandle()).contentFrame();
  await host.evaluate((m) => window.__vscode_post_message__('onmessage', { message: m }), message);
}

/** Picks a color theme through "Preferences: Color Theme" (the settings file route is slow to apply). */
export async function setColorTheme(page, label, type) {
  await runCommand(page, 'Preferences: Color Theme');
  await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
  await quickInput(page).fill(label);
  await quickRows(page).filter({ hasText: label }).first().click();
  await page.locator(`.monaco-workbench.${type}`).waitFor({ timeout: 15_000 });
}

/** The modal dialog (consent, Clear Index): its text, then a click on `button`. */
export async function answerDialog(page, button) {
  const box = page.locator('.monaco-dialog-box');
  await box.waitFor({ timeout: 30_000 });
  const text = (await box.innerText()).trim();
  await box.locator('.monaco-button', { hasText: button }).first().click();
  await box.waitFor({ state: 'hidden', timeout: 10_000 });
  return text;
}

export function tempProfile() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sw-ui-chrome-'));
}
