// Playwright UI suite: drives the installed .vsix in code-server (Debian Chromium, headless) the way
// a user does — palette, sidebar webview, editor context menu, status bar, themes — and checks
// what appears on screen. Run by scripts/e2e/run.sh:
//   node test/ui/ui.mjs --base <code-server url> --ws <fixture copy> --user-settings <settings.json>
//                       --artifacts <dir> --result <result.json>
// Failures and the final states are saved as PNGs in --artifacts. Writes {passed, failed} to
// --result; never prints an "N passed, N failed" line itself (run.sh prints the count line).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analysisChecks } from './analysisChecks.mjs';
import { coverageChecks } from './coverage.mjs';
import { remoteChecks } from './remote.mjs';
import { rerankChecks } from './rerankChecks.mjs';
import {
  activeTab, answerDialog, setColorTheme, arg, commandTitle, contextMenuItems, cursorLine, launch, log, openFile, openSidebar,
  postFromSidebar, quickInput, quickRows, runCommand, runner, runnerSelfTest, settled, sidebarFrame, stableRows, statusItem, tempProfile, waitUntil,
} from './lib.mjs';

const base = arg('--base');
const ws = arg('--ws');
const userSettings = arg('--user-settings');
const artifacts = path.resolve(arg('--artifacts', '.test-artifacts'));
const resultFile = arg('--result');
const requestLog = arg('--requests');
fs.mkdirSync(artifacts, { recursive: true });

// Labels for Classify Selection, as a user would configure them in the workspace settings.
const TAG_LABELS = [
  { label: 'deployment', description: 'releasing and rolling back services' },
  { label: 'gardening', description: 'plants, soil and watering' },
  { label: '缓存', description: '缓存淘汰与过期' },
];
fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
fs.writeFileSync(path.join(ws, '.vscode/settings.json'), JSON.stringify({ 'semanticWorkspace.tags': TAG_LABELS }, null, 2));

const profile = tempProfile();
const { ctx, page } = await launch(profile);
const { check, results } = runner(page, artifacts);
const consoleErrors = [];
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
const shot = (name) => page.screenshot({ path: path.join(artifacts, name) });

/** Types a query into the sidebar and waits for a `.result` mentioning `expect`. */
async function sidebarSearch(query, expect) {
  const frame = await openSidebar(page);
  await frame.locator('#query').fill('');
  await frame.locator('#query').pressSequentially(query, { delay: 20 });
  const hit = frame.locator('#results .result', { hasText: expect }).first();
  await hit.waitFor({ timeout: 30_000 });
  return { frame, hit };
}

try {
  await check('workbench opens the fixture workspace', async () => {
    await page.goto(`${base}/?folder=${encodeURIComponent(ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'notes' }).first().waitFor({ timeout: 60_000 });
    // The palette only lists the extension's commands once its contributions are registered.
    await page.locator('.activitybar [aria-label^="Semantic Workspace"]').first().waitFor({ timeout: 60_000 });
  });

  await check('status bar shows the index state and reaches "N chunks" after Index Workspace', async () => {
    // The extension activates on first use (no startup activation), so the item appears with the command.
    await runCommand(page, commandTitle('semanticWorkspace.indexWorkspace'));
    const item = statusItem(page);
    await item.waitFor({ timeout: 30_000 });
    await page.locator('.statusbar-item', { hasText: /\d+ chunks/ }).first().waitFor({ timeout: 60_000 });
    const text = (await item.innerText()).trim();
    const label = (await item.getAttribute('aria-label')) ?? '';
    log(`  status bar after: ${JSON.stringify(text)} (aria ${JSON.stringify(label.slice(0, 80))})`);
    if (!/\d+ chunks/.test(text)) throw new Error(`status bar item shows ${JSON.stringify(text)}, not the chunk count`);
  });

  await check('the runner stops a timed-out check: its next gesture is refused, nothing reaches the page after the timeout (self-test, blank page)', () => runnerSelfTest(ctx));

  await check('palette search shows live results while typing; Enter opens the file at the hit line', async () => {
    await runCommand(page, commandTitle('semanticWorkspace.search'));
    const input = quickInput(page);
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    // The picker must update as you type, without pressing Enter.
    await input.pressSequentially('parse quoted', { delay: 40 });
    await quickRows(page).first().waitFor({ timeout: 15_000 });
    const partial = await quickRows(page).count();
    await input.pressSequentially(' csv fields', { delay: 40 });
    const row = quickRows(page).filter({ hasText: 'csvParser.ts' }).first();
    await row.waitFor({ timeout: 15_000 });
    const rows = await stableRows(page); // the last keystroke's results, not a partial query's
    log(`  ${partial} row(s) after "parse quoted"; after full query: ${JSON.stringify(rows.slice(0, 4))}`);
    if (!rows[0]?.includes('csvParser.ts')) throw new Error(`top result is not csvParser.ts: ${rows[0]}`);
    await shot('palette-live-results.png');
    const advertised = Number((/csvParser\.ts[^\d]*?:?(\d+)/.exec(rows[0]) ?? [])[1] ?? NaN);
    await page.keyboard.press('Enter');
    await activeTab(page, 'csvParser.ts');
    const line = await cursorLine(page);
    log(`  opened csvParser.ts at line ${line} (row advertises ${advertised || 'no line'})`);
    // parseCsv / splitCsvLine span lines 1–23; the hit must land on the chunk the row named.
    if (line < 1 || line > 23) throw new Error(`cursor at line ${line}, outside the CSV parser`);
    // The hit's range is selected: the cursor (status bar "Ln") sits at its end, the row names its start.
    if (advertised && (line < advertised || line > advertised + 25)) throw new Error(`row says line ${advertised}, editor is at ${line}`);
  });

  await check('sidebar webview renders results in its iframe; clicking one opens the file', async () => {
    const { frame, hit } = await sidebarSearch('take the oldest message from the mailbox', 'mailbox.py');
    const n = await frame.locator('#results .result').count();
    log(`  sidebar shows ${n} result(s); first: ${JSON.stringify((await frame.locator('#results .result').first().innerText()).slice(0, 80))}`);
    for (const id of ['#filter-kind', '#topics', '#tags', '#related']) {
      if (!(await frame.locator(id).count())) throw new Error(`sidebar lacks ${id}`);
    }
    // At the default sidebar width no filter placeholder is cut off.
    const cut = await frame.locator('#filter-glob, #filter-language').evaluateAll((inputs) => inputs.map((el) => {
      const probe = document.createElement('span');
      const cs = getComputedStyle(el);
      probe.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font:${cs.font}`;
      probe.textContent = el.placeholder;
      document.body.append(probe);
      const need = probe.getBoundingClientRect().width;
      probe.remove();
      const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      return { id: el.id, need: Math.ceil(need), room: Math.floor(room) };
    }));
    log(`  filter placeholders (px needed / room): ${JSON.stringify(cut)}`);
    const short = cut.filter((c) => c.need > c.room);
    if (short.length) throw new Error(`placeholder cut off: ${JSON.stringify(short)}`);
    await hit.click();
    await activeTab(page, 'mailbox.py');
    const line = await cursorLine(page);
    if (line < 1 || line > 19) throw new Error(`mailbox.py opened at line ${line}`);
  });

  await check('editor context menu on a selection offers Search for Selection and Classify Selection', async () => {
    await openFile(page, 'src/rateLimiter.ts');
    // Select a word (double click) so selection-only menu entries show up.
    const word = page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'class TokenBucket' }).first()
      .locator('span', { hasText: /^TokenBucket$/ }).first();
    // The double click must leave a selection (under load the first one can land while the editor
    // is still settling): the status bar then says "(11 selected)".
    const selection = page.locator('.statusbar-item[id="status.editor.selection"]').first();
    for (let i = 0; ; i++) {
      await word.dblclick();
      if (await selection.filter({ hasText: /selected/ }).waitFor({ timeout: 3000 }).then(() => true).catch(() => false)) break;
      if (i === 2) throw new Error(`double click left no selection: ${await selection.textContent()}`);
    }
    const items = await contextMenuItems(page, word);
    log(`  menu: ${JSON.stringify(items.filter((i) => /Selection|Semantic/i.test(i)))}`);
    for (const want of ['Search for Selection', 'Classify Selection']) {
      if (!items.some((i) => i.includes(want))) throw new Error(`context menu lacks "${want}" (has ${items.length} items)`);
    }
    const item = page.getByRole('menuitem', { name: /Search for Selection/ }).first();
    await item.hover();
    await item.click({ delay: 50 });
    // The selection becomes the query: in the palette picker or in the sidebar's search box.
    await waitUntil('the selection "TokenBucket" becomes a query (palette or sidebar)', async () => {
      const picker = await quickInput(page).isVisible().catch(() => false) ? await quickInput(page).inputValue() : '';
      const side = await sidebarFrame(page).locator('#query').inputValue({ timeout: 500 }).catch(() => '');
      return picker.includes('TokenBucket') || side.includes('TokenBucket') ? true : { picker, side };
    }, 15_000, 200);
    await page.keyboard.press('Escape');
  });

  await analysisChecks({ page, check, log, shot, ws, artifacts, tagLabels: TAG_LABELS });

  await check('a forged sidebar message naming a path outside the workspace opens nothing', async () => {
    await openSidebar(page);
    const forge = (message) => postFromSidebar(page, message);
    const folder = pathToFileURL(ws).href;
    fs.writeFileSync(path.join(path.dirname(ws), 'outside-secret.txt'), 'outside the workspace');
    for (const p of ['../outside-secret.txt', '/etc/passwd', path.join(path.dirname(ws), 'outside-secret.txt'), 'file:///etc/passwd']) {
      await forge({ type: 'open', ref: { folder, path: p, startLine: 1 }, side: false });
    }
    // Control, and the barrier: the same channel with a path inside the workspace does open. The
    // extension handles the channel's messages in order, so once this tab is open the forged ones
    // above have been handled too (no waiting for "long enough").
    await forge({ type: 'open', ref: { folder, path: 'notes/gardening.md', startLine: 3 }, side: false });
    await activeTab(page, 'gardening.md');
    const tabs = (await page.locator('.tabs-container .tab').allInnerTexts()).join(' | ');
    if (/passwd|outside-secret/.test(tabs)) throw new Error(`a forged path was opened: ${tabs}`);
  });

  await check('Set API Key opens a password box at once (no service picker to paste a key into) and keeps the key out of settings.json', async () => {
    const key = 'sk-ui-secret-9b7e5d3c1a';
    await runCommand(page, commandTitle('semanticWorkspace.setApiKey'));
    await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
    // The picker may take a moment to switch its input's type: wait for the condition, not a time.
    await waitUntil('Set API Key shows a password box', async () => (await quickInput(page).getAttribute('type')) === 'password', 5_000).catch(() => undefined);
    const type = await quickInput(page).getAttribute('type');
    const title = (await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '')).trim();
    log(`  first input: type=${type}, title ${JSON.stringify(title)}`);
    if (type !== 'password') throw new Error(`the first thing Set API Key shows is not a password box (type=${type}, ${JSON.stringify(await stableRows(page))})`);
    await quickInput(page).fill(key);
    await page.keyboard.press('Enter');
    await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
    // The key is stored before the extension says so: wait for its message in the notification
    // center (a toast may already have gone), then close the center again.
    await runCommand(page, 'Notifications: Show Notifications');
    await page.locator('.notifications-center .notification-list-item', { hasText: 'API key saved.' }).first().waitFor({ timeout: 15_000 });
    // The center's own "Hide Notifications" action ("Hide Notifications" is not in the palette).
    const hide = page.locator('.notifications-center .action-label[aria-label^="Hide Notifications"]').first();
    if (await hide.isVisible().catch(() => false)) await hide.click();
    else await page.keyboard.press('Escape');
    await page.locator('.notifications-center .notification-list-item').first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    const settingsText = fs.readFileSync(userSettings, 'utf8');
    const wsSettings = path.join(ws, '.vscode/settings.json');
    if (settingsText.includes(key) || (fs.existsSync(wsSettings) && fs.readFileSync(wsSettings, 'utf8').includes(key))) throw new Error('the key was written to settings.json');
    await runCommand(page, commandTitle('semanticWorkspace.clearApiKey'));
    const pick = quickRows(page).filter({ hasText: /DashScope/ }).first();
    if (await pick.isVisible({ timeout: 2000 }).catch(() => false)) await pick.click();
    await page.keyboard.press('Escape');
  });

  await check('Clear Index asks in a modal, empties the index; Index Workspace restores it', async () => {
    await runCommand(page, commandTitle('semanticWorkspace.clearIndex'));
    const text = await answerDialog(page, 'Clear Index');
    log(`  dialog: ${JSON.stringify(text.slice(0, 200))}`);
    if (!/offline/i.test(text) || !/other providers/i.test(text)) throw new Error(`the dialog does not name the index it deletes: ${JSON.stringify(text)}`);
    await statusItem(page).filter({ hasText: 'Not indexed' }).waitFor({ timeout: 15_000 });
    await runCommand(page, commandTitle('semanticWorkspace.indexWorkspace'));
    await statusItem(page).filter({ hasText: /\d+ chunks/ }).waitFor({ timeout: 60_000 });
  });

  // Final screenshots: the sidebar with results in a dark and a light theme (the palette one is above).
  // VS Code 1.139's theme ids are "Dark Modern"/"Light Modern" (no longer "Default Dark Modern").
  for (const [theme, type, file] of [['Dark Modern', 'vs-dark', 'sidebar-dark.png'], ['Light Modern', 'vs', 'sidebar-light.png']]) {
    await check(`sidebar with results in ${theme} (screenshot ${file})`, async () => {
      await setColorTheme(page, theme, type);
      await runCommand(page, 'View: Close All Editors');
      const { frame } = await sidebarSearch('health check uptime endpoint', 'health.go');
      // The webview has taken the new theme (VS Code marks its body) and its results stopped moving.
      await frame.locator(`body.${type === 'vs' ? 'vscode-light' : 'vscode-dark'}`).waitFor({ timeout: 15_000 });
      await settled(frame.locator('div#results'));
      await shot(file);
    });
  }

  // Cloud provider through the real consent dialog (the fake DashScope server stands in).
  if (requestLog) {
    await remoteChecks({ page, check, log, requestLog, shot, sidebarSearch });
    await rerankChecks({ page, check, log, requestLog, shot, ws });
    // A cloud run that stops short (service gone, key revoked) must say so everywhere.
    await coverageChecks({ page, check, log, requestLog, shot });
  }
  else log('no --requests log given: cloud checks not run');
} finally {
  const failed = results.filter((r) => !r.ok).length;
  if (resultFile) fs.writeFileSync(resultFile, JSON.stringify({ passed: results.filter((r) => r.ok && !r.skipped).length, failed }));
  if (consoleErrors.length) log(`browser console errors (${consoleErrors.length}), first: ${consoleErrors.slice(0, 3).map((e) => e.slice(0, 160)).join(' | ')}`);
  await ctx.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
}
process.exit(results.some((r) => !r.ok) ? 1 : 0);
