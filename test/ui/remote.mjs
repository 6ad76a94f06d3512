// UI checks of the cloud provider through the real consent dialog, against the fake DashScope
// server (run.sh starts the UI's code-server with its URL and a key in the environment, and the
// fake server logs every request to --requests). The ext-host suite cannot do this part:
// VS Code refuses modal dialogs in a window that runs extensionTestsPath.
import fs from 'node:fs';
import { answerDialog, commandTitle, quickInput, quickRows, runCommand, settled, sleep, statusItem, waitUntil } from './lib.mjs';

/** Embedding requests ({path, auth, texts, textType}) logged after line `from`. */
function embedsSince(requestLog, from) {
  const lines = fs.readFileSync(requestLog, 'utf8').split('\n').filter(Boolean).slice(from);
  return lines.map((l) => JSON.parse(l)).filter((r) => /embedding/.test(r.path) && r.body && typeof r.body === 'object').map((r) => {
    const b = r.body;
    const texts = Array.isArray(b.input?.texts) ? b.input.texts : Array.isArray(b.input) ? b.input : [b.input];
    return { path: r.path, auth: r.auth, texts, textType: b.parameters?.text_type ?? b.text_type };
  });
}
const logLength = (requestLog) => fs.readFileSync(requestLog, 'utf8').split('\n').filter(Boolean).length;

export async function remoteChecks({ page, check, log, requestLog, shot, sidebarSearch }) {
  let from = 0;
  /** Where the Cancel check started: nothing may reach the server from there until "Upload and Index". */
  let cancelledFrom;

  await check('cloud provider: consent dialog before any upload; Cancel uploads nothing', async () => {
    from = logLength(requestLog);
    await runCommand(page, commandTitle('semanticWorkspace.chooseProvider'));
    await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
    await quickRows(page).filter({ hasText: 'DashScope' }).first().click();
    // No DashScope index exists yet for this folder.
    await statusItem(page).filter({ hasText: 'Not indexed' }).waitFor({ timeout: 15_000 });
    await runCommand(page, commandTitle('semanticWorkspace.indexWorkspace'));
    await page.locator('.monaco-dialog-box').waitFor({ timeout: 30_000 });
    await settled(page.locator('.monaco-dialog-box'));
    await shot('consent-dialog.png');
    if (embedsSince(requestLog, from).length) throw new Error('requests reached the server while the consent dialog was open');
    const text = await answerDialog(page, 'Cancel');
    log(`  consent dialog: ${JSON.stringify(text.replace(/\s+/g, ' ').slice(0, 400))}`);
    // The fake server's URL is a Machine setting here (run.sh): the dialog names it and where it came from.
    for (const want of ['Send this workspace to a cloud embedding service?', 'Endpoint: http://127.0.0.1:', 'semanticWorkspace.dashscope.baseUrl in ', 'Files:', 'Estimated cost']) {
      if (!text.includes(want)) throw new Error(`consent dialog lacks "${want}"`);
    }
    // After Cancel the extension is back to "Not indexed" (DOM state, no fixed wait); the window
    // for a late upload stays open until the next check clicks "Upload and Index", which checks
    // the log again before it does.
    await statusItem(page).filter({ hasText: 'Not indexed' }).waitFor({ timeout: 15_000 });
    const sent = embedsSince(requestLog, from);
    if (sent.length) throw new Error(`${sent.length} request(s) were sent after Cancel`);
    cancelledFrom = from;
  });

  await check('after "Upload and Index": documents reach the server as text_type=document, ≤ 10 texts per request', async () => {
    from = logLength(requestLog);
    await runCommand(page, commandTitle('semanticWorkspace.indexWorkspace'));
    await page.locator('.monaco-dialog-box').waitFor({ timeout: 30_000 });
    if (cancelledFrom !== undefined && embedsSince(requestLog, cancelledFrom).length) {
      throw new Error(`${embedsSince(requestLog, cancelledFrom).length} request(s) reached the server after Cancel, before consent`);
    }
    await answerDialog(page, 'Upload and Index');
    await statusItem(page).filter({ hasText: /\d+ chunks/ }).waitFor({ timeout: 90_000 });
    const label = (await statusItem(page).getAttribute('aria-label')) ?? '';
    log(`  status: ${JSON.stringify((await statusItem(page).innerText()).trim())} — ${JSON.stringify(label.slice(0, 120))}`);
    if (!/DashScope|text-embedding/i.test(label)) throw new Error(`status does not name the cloud provider: ${label}`);
    const all = embedsSince(requestLog, from);
    // The sidebar still shows a search: once the new index exists it re-runs it, as one query.
    const queries = all.filter((r) => r.textType === 'query');
    const sent = all.filter((r) => r.textType !== 'query');
    const texts = sent.flatMap((r) => r.texts);
    log(`  ${sent.length} request(s), ${texts.length} texts, batch sizes ${JSON.stringify(sent.map((r) => r.texts.length))}; ${queries.length} query request(s) (the sidebar's search re-run)`);
    if (!sent.length) throw new Error('nothing reached the server');
    if (queries.some((r) => r.texts.length !== 1)) throw new Error(`a query request carried ${JSON.stringify(queries.map((r) => r.texts.length))} texts`);
    const bad = sent.filter((r) => r.textType !== 'document' || r.texts.length < 1 || r.texts.length > 10);
    if (bad.length) throw new Error(`bad requests: ${JSON.stringify(bad.map((r) => [r.textType, r.texts.length]))}`);
    if (sent.some((r) => !r.auth)) throw new Error('a request had no Authorization header');
    if (texts.some((t) => /sk-fixture-never-upload|zebra-quokka/.test(t))) throw new Error('.env or git-ignored content was uploaded');
  });

  await check('palette search with DashScope: live results; the query goes out as text_type=query', async () => {
    from = logLength(requestLog);
    await runCommand(page, commandTitle('semanticWorkspace.search'));
    await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
    await quickInput(page).pressSequentially('producers and consumers exchanging messages', { delay: 15 });
    await quickRows(page).filter({ hasText: 'mailbox.py' }).first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Escape');
    const sent = embedsSince(requestLog, from);
    if (!sent.some((r) => r.textType === 'query')) throw new Error(`no query embedding among ${JSON.stringify(sent.map((r) => r.textType))}`);
  });

  await check('a refused key: the palette answers from keywords and says so (Set API Key), the status bar too; the next search tries again', async () => {
    const setKey = async (key) => {
      await runCommand(page, commandTitle('semanticWorkspace.setApiKey'));
      await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
      // The input turns into a password box a moment after it shows: wait for that (or for a
      // service picker, should one come), never decide on the first look.
      const picker = quickRows(page).filter({ hasText: /DashScope/ }).first();
      const isPassword = async () => (await quickInput(page).getAttribute('type')) === 'password';
      await waitUntil('Set API Key shows its password box', async () => (await isPassword()) || (await picker.isVisible().catch(() => false)), 10_000);
      if (!(await isPassword())) {
        await picker.click();
        await waitUntil('the picked service asks for its key', isPassword, 10_000);
      }
      await quickInput(page).fill(key);
      await page.keyboard.press('Enter');
      await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
    };
    const search = async (query) => {
      await runCommand(page, commandTitle('semanticWorkspace.search'));
      await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
      await quickInput(page).pressSequentially(query, { delay: 15 });
      await quickRows(page).filter({ hasText: 'mailbox.py' }).first().waitFor({ timeout: 20_000 });
    };
    await setKey('sk-bad-e2e-refused-4d2c'); // the fake server answers 401 to sk-bad… keys
    await search('producers and consumers exchanging messages');
    const note = quickRows(page).filter({ hasText: 'Keyword results only' }).first();
    await note.waitFor({ timeout: 10_000 });
    const noteText = (await note.innerText()).replace(/\s+/g, ' ');
    log(`  palette note: ${JSON.stringify(noteText.slice(0, 200))}`);
    if (!/API key was refused/.test(noteText)) throw new Error(`the note does not say the key was refused: ${noteText}`);
    await shot('degraded-palette.png');
    await page.keyboard.press('Escape');
    await statusItem(page).filter({ hasText: 'keyword only' }).waitFor({ timeout: 10_000 });
    // The sidebar says it too, above its (keyword) results, with the Set API Key button.
    const { frame } = await sidebarSearch('messages waiting in the mailbox queue', 'mailbox.py');
    const sideNote = frame.locator('[data-testid=search-note]', { hasText: 'Keyword results only' });
    await sideNote.waitFor({ timeout: 10_000 });
    if (!(await sideNote.locator('[data-testid=note-set-key]').isVisible())) throw new Error('the sidebar note has no Set API Key button');
    await shot('degraded-sidebar.png');
    // Back to the environment key: the very next search embeds its query again and the note is gone.
    await runCommand(page, commandTitle('semanticWorkspace.clearApiKey'));
    const pick = quickRows(page).filter({ hasText: /DashScope/ }).first();
    if (await pick.isVisible({ timeout: 2000 }).catch(() => false)) await pick.click();
    await sleep(500);
    from = logLength(requestLog);
    await search('producers and consumers exchanging messages');
    await sleep(500);
    if (await quickRows(page).filter({ hasText: 'Keyword results only' }).count()) throw new Error('still degraded with a good key');
    await page.keyboard.press('Escape');
    const again = await sidebarSearch('mailbox queue messages waiting', 'mailbox.py');
    await sleep(300);
    if (await again.frame.locator('[data-testid=search-note]').isVisible()) throw new Error('the sidebar still shows the keyword-only note');
    if (!embedsSince(requestLog, from).some((r) => r.textType === 'query')) throw new Error('the next search did not try the endpoint again');
    await statusItem(page).filter({ hasText: /\d+ chunks/ }).waitFor({ timeout: 10_000 });
    if (/keyword only/.test(await statusItem(page).innerText())) throw new Error('the status bar still says keyword only');
  });
}
