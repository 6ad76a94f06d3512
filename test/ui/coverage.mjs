// UI checks that the extension tells the truth when a cloud run stops short (issue #14): the
// fake DashScope server (its one entry point, test/fake-dashscope/main.ts: outageModes.ts) is switched
// at run time — the service goes away mid-index, or the key is revoked mid-run — and the status
// bar, the sidebar, the notifications and the search results must say what is true.
// Runs after remote.mjs (DashScope is the provider and consent was given).
import fs from 'node:fs';
import path from 'node:path';
import { answerDialog, commandTitle, openSidebar, quickInput, runCommand, sleep, statusItem } from './lib.mjs';

const INCOMPLETE = /Incomplete: (\d+) of (\d+) files — (.+) · Resume/;

export async function coverageChecks({ page, check, log, requestLog, shot }) {
  const proxy = JSON.parse(fs.readFileSync(path.join(path.dirname(requestLog), 'fake.json'), 'utf8')).url;
  const setMode = async (mode) => {
    const r = await fetch(`${proxy}/__e2e/mode`, { method: 'POST', body: JSON.stringify(mode) });
    if (!r.ok) throw new Error(`proxy mode ${JSON.stringify(mode)}: HTTP ${r.status}`);
  };
  // code-server runs with the smoke-test driver, under which VS Code shows no toasts: notifications
  // are read (and their buttons clicked) in the notification center instead.
  const notification = async (text, timeout) => {
    const item = page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
    const end = Date.now() + timeout;
    for (;;) {
      if (!(await page.locator('.notifications-center.visible').isVisible().catch(() => false))) {
        await runCommand(page, 'Notifications: Show Notifications');
      }
      if (await item.isVisible().catch(() => false)) return item;
      if (Date.now() > end) throw new Error(`no notification matching ${text} (center: ${JSON.stringify((await page.locator('.notifications-center').innerText().catch(() => '')).slice(0, 300))})`);
      await sleep(500);
    }
  };
  // The center's own "Hide Notifications" action (the command is not in the palette).
  const hideNotifications = async () => {
    const hide = page.locator('.notifications-center .action-label[aria-label^="Hide Notifications"]').first();
    if (await hide.isVisible().catch(() => false)) await hide.click();
    else await page.keyboard.press('Escape');
  };
  const lines = () => fs.readFileSync(requestLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const clearIndex = async () => {
    // Earlier notifications would crowd the center (where these checks read them).
    await runCommand(page, 'Notifications: Clear All Notifications');
    await runCommand(page, commandTitle('semanticWorkspace.clearIndex'));
    await answerDialog(page, 'Clear Index');
    await statusItem(page).filter({ hasText: 'Not indexed' }).waitFor({ timeout: 15_000 });
  };
  /** Status bar text + accessible label, and the sidebar's first line. */
  const surfaces = async () => {
    const frame = await openSidebar(page);
    return {
      bar: (await statusItem(page).innerText()).trim(),
      label: (await statusItem(page).getAttribute('aria-label')) ?? '',
      side: (await frame.locator('#status').innerText()).trim(),
      top: () => frame.locator('#status').evaluate((el) => el.scrollIntoView({ block: 'start' })),
      frame,
    };
  };
  const noFalseComfort = (s) => {
    for (const [where, text] of [['status bar', s.bar], ['status bar label', s.label], ['sidebar', s.side]]) {
      if (/up to date/i.test(text)) throw new Error(`${where} says "up to date" over an incomplete index: ${text}`);
      if (/\d+ ?%/.test(text)) throw new Error(`${where} shows a percentage after the run stopped: ${text}`);
    }
  };

  await check('service gone mid-index: retries shown ("retrying in n s — attempt n of m"), Cancel → "Incomplete: N of M files — DashScope unreachable · Resume" everywhere', async () => {
    await clearIndex();
    await setMode({ kind: 'down', after: 1, delayMs: 150 });
    await runCommand(page, commandTitle('semanticWorkspace.indexWorkspace'));
    const retrying = await notification(/retrying in \d+ s — attempt \d+ of \d+/, 60_000);
    await statusItem(page).filter({ hasText: /DashScope unreachable — retrying in \d+ s/ }).waitFor({ timeout: 10_000 });
    log(`  progress: ${JSON.stringify((await retrying.innerText()).replace(/\s+/g, ' ').slice(0, 160))}`);
    const side = await openSidebar(page);
    await side.locator('#status').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    // A search shown while the first run goes on must not tell the user to start one.
    const sideText = await side.locator('body').innerText();
    log(`  sidebar while retrying: ${JSON.stringify(sideText.replace(/\s+/g, ' ').slice(0, 200))}`);
    if (/Run "Index Workspace"/.test(sideText)) throw new Error(`the sidebar asks to run "Index Workspace" while the first index is being built: ${sideText.slice(0, 300)}`);
    // Before the first checkpoint there is nothing to search: that is said as news, not as an error or "No results".
    if (/being built/.test(sideText)) {
      const look = {
        message: await side.locator('#results-message').evaluate((el) => ({ error: el.classList.contains('error'), text: el.textContent ?? '' })),
        note: await side.locator('[data-testid=search-note]').evaluate((el) => ({ warning: el.classList.contains('warning'), text: el.textContent ?? '' })),
      };
      log(`  "being built" shown: ${JSON.stringify(look)}`);
      if (look.message.error || look.note.warning || /no results/i.test(look.message.text) || !/being built/.test(look.note.text)) throw new Error(`"being built" is shown as a failure: ${JSON.stringify(look)}`);
    }
    await shot('coverage-retrying.png');
    await retrying.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
    await statusItem(page).filter({ hasText: INCOMPLETE }).waitFor({ timeout: 20_000 });
    await hideNotifications();
    const s = await surfaces();
    const [, n, m, reason] = INCOMPLETE.exec(s.bar);
    log(`  status bar: ${JSON.stringify(s.bar)}; sidebar: ${JSON.stringify(s.side)}`);
    if (!(Number(n) > 0 && Number(n) < Number(m))) throw new Error(`expected a partial index, got ${n} of ${m}`);
    if (reason !== 'DashScope unreachable') throw new Error(`reason: ${reason}`);
    if (!s.side.includes(`Incomplete: ${n} of ${m} files — DashScope unreachable`)) throw new Error(`sidebar first line: ${s.side}`);
    noFalseComfort(s);
    // The service is back (the query needs an embedding), the index still incomplete: a search
    // over it says so next to the results.
    await setMode({ kind: 'ok' });
    await s.frame.locator('#query').fill('');
    await s.frame.locator('#query').pressSequentially('rollback previous container image', { delay: 15 });
    await s.frame.locator('#results .result', { hasText: 'deployment.md' }).first().waitFor({ timeout: 30_000 });
    const note = s.frame.locator('[data-testid=coverage-note]');
    await note.waitFor({ state: 'visible', timeout: 10_000 });
    const noteText = await note.innerText();
    if (!noteText.includes(`${n} of ${m} files`)) throw new Error(`coverage note: ${noteText}`);
    await s.top();
    await sleep(300);
    await shot('coverage-incomplete.png');
  }, 150_000);

  await check('service back, Resume (status bar click) completes it: only now "up to date", and a summary message', async () => {
    await setMode({ kind: 'ok' });
    await statusItem(page).click();
    await statusItem(page).filter({ hasText: /\d+ chunks/ }).waitFor({ timeout: 90_000 });
    const s = await surfaces();
    if (!/up to date/.test(s.label)) throw new Error(`status label: ${s.label}`);
    if (!/^Up to date/.test(s.side.replace(/^\W+/, ''))) throw new Error(`sidebar: ${s.side}`);
    await s.frame.locator('[data-testid=coverage-note]').waitFor({ state: 'hidden', timeout: 10_000 });
    await s.top();
    const summary = await notification(/\d+ chunks from \d+ files in \d+ s/, 15_000);
    log(`  summary: ${JSON.stringify((await summary.innerText()).replace(/\s+/g, ' ').slice(0, 120))}`);
    await sleep(1500); // VS Code keeps a finished progress notification up for a moment
    await shot('coverage-complete.png');
    await hideNotifications();
  }, 120_000);

  await check('throttled (429s): the status bar says "Waiting for rate limit", then the run completes', async () => {
    await clearIndex();
    await setMode({ kind: 'throttle', after: 1, count: 8 });
    await runCommand(page, commandTitle('semanticWorkspace.indexWorkspace'));
    await statusItem(page).filter({ hasText: 'Waiting for rate limit' }).waitFor({ timeout: 30_000 });
    await shot('coverage-rate-limit.png');
    await statusItem(page).filter({ hasText: /\d+ chunks/ }).waitFor({ timeout: 90_000 });
    await setMode({ kind: 'ok' });
  }, 120_000);

  await check('401 mid-run: no retries; an error notification with Set API Key stays; the key set → the run resumes and completes', async () => {
    await clearIndex();
    const from = lines().length;
    await setMode({ kind: 'unauthorized', after: 1 });
    await runCommand(page, commandTitle('semanticWorkspace.indexWorkspace'));
    await notification('API key', 60_000);
    await statusItem(page).filter({ hasText: /Incomplete: \d+ of \d+ files — API key rejected · Resume/ }).waitFor({ timeout: 10_000 });
    const s1 = await surfaces();
    noFalseComfort(s1);
    if (!/API key rejected/.test(s1.side)) throw new Error(`sidebar: ${s1.side}`);
    // Only document batches count: the sidebar may re-run its query (text_type=query) more than once, and each
    // re-run is a new search, not a retried batch.
    const textType = (r) => r.body?.parameters?.text_type ?? r.body?.text_type;
    const refusedAll = lines().slice(from).filter((r) => r.status === 401);
    const refused = refusedAll.filter((r) => textType(r) !== 'query');
    const texts = refused.flatMap((r) => r.body?.input?.texts ?? []);
    log(`  ${refused.length} document request(s) refused with 401, ${texts.length} texts; ${refusedAll.length - refused.length} query request(s)`);
    if (!refused.length) throw new Error('no 401 reached the extension');
    if (new Set(texts).size !== texts.length) throw new Error('a refused batch was sent again (retried a 401)');
    if (refused.length > 4) throw new Error(`${refused.length} requests after the 401 (concurrency is 4)`);
    const side = await surfaces();
    await side.top();
    const fresh = await notification('API key', 10_000);
    log(`  notification: ${JSON.stringify((await fresh.innerText()).replace(/\s+/g, ' ').slice(0, 240))}`);
    for (const b of ['Set API Key', 'Retry', 'Show Log']) {
      if (!(await fresh.locator('.monaco-button', { hasText: b }).count())) throw new Error(`no ${b} button`);
    }
    await shot('coverage-auth-notification.png');
    // (It stays until dismissed: VS Code keeps an error notification with actions sticky.)
    await setMode({ kind: 'ok' });
    await fresh.locator('.monaco-button', { hasText: 'Set API Key' }).first().click();
    await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
    await quickInput(page).fill('sk-e2e-rotated-5b7e2c91');
    await page.keyboard.press('Enter');
    await statusItem(page).filter({ hasText: /\d+ chunks/ }).waitFor({ timeout: 90_000 });
    const s = await surfaces();
    if (!/up to date/.test(s.label)) throw new Error(`after the new key: ${s.label}`);
  }, 150_000);
}
