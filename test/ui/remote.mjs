// UI checks of the cloud provider through the real consent dialog, against the fake DashScope
// server (run.sh starts the UI's code-server with its URL and a key in the environment, and the
// fake server logs every request to --requests). The ext-host suite cannot do this part:
// VS Code refuses modal dialogs in a window that runs extensionTestsPath.
import fs from 'node:fs';
import { answerDialog, commandTitle, quickInput, quickRows, runCommand, settled, statusItem } from './lib.mjs';

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

export async function remoteChecks({ page, check, log, requestLog, shot }) {
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
    for (const want of ['Send this workspace to a cloud embedding service?', 'Endpoint: http://127.0.0.1:', 'Files:', 'Estimated cost']) {
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
}
