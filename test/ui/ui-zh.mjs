// Playwright UI suite in VS Code's zh-cn display language: the installed .vsix in a code-server whose
// profile has `"locale": "zh-cn"` in User/argv.json and the test-only language pack
// (scripts/e2e/langpack-zh-cn) registered. Checks that what a Chinese user sees comes from
// package.nls.zh-cn.json (palette, activity bar) and l10n/bundle.l10n.zh-cn.json (status bar,
// sidebar webview). Expected texts are read from those files, never typed in here. Run by run.sh:
//   node test/ui/ui-zh.mjs --base <code-server url> --ws <fixture copy> --artifacts <dir> --result <result.json>
// Saves palette-zh-cn.png and sidebar-zh-cn.png; writes {passed, failed} to --result (run.sh prints the `ui-zh:` line).
import fs from 'node:fs';
import path from 'node:path';
import {
  arg, commandTitle, l10n, launch, log, manifestStrings, openSidebar, quickInput, quickRows, runCommand, runner,
  repo, settled, stableRows, statusItem, tempProfile,
} from './lib.mjs';

const LOCALE = 'zh-cn';
const base = arg('--base');
const ws = arg('--ws');
const artifacts = path.resolve(arg('--artifacts', '.test-artifacts'));
const resultFile = arg('--result');
fs.mkdirSync(artifacts, { recursive: true });

const nls = manifestStrings(LOCALE);
const t = l10n(LOCALE);
const english = manifestStrings();
const cjk = /[\u4e00-\u9fff]/;
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const profile = tempProfile();
const { ctx, page } = await launch(profile);
const { check, results } = runner(page, artifacts);
const shot = (name) => page.screenshot({ path: path.join(artifacts, name) });

try {
  await check('workbench runs in zh-cn: VS Code\'s own UI (language pack) and our activity bar entry', async () => {
    await page.goto(`${base}/?folder=${encodeURIComponent(ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const lang = await page.evaluate(() => globalThis._VSCODE_NLS_LANGUAGE);
    if (lang !== LOCALE) throw new Error(`workbench NLS language is ${JSON.stringify(lang)}, not ${LOCALE} (language pack not registered?)`);
    // The e2e language pack translates the Explorer's title: proof that VS Code itself switched.
    await page.locator('.sidebar .title-label', { hasText: '资源管理器' }).first().waitFor({ timeout: 30_000 });
    // The view container's title comes from package.nls.zh-cn.json.
    await page.locator(`.activitybar [aria-label^="${nls['viewContainer.title']}"]`).first().waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'notes' }).first().waitFor({ timeout: 60_000 });
  });

  await check('palette lists our commands under their Chinese titles (package.nls.zh-cn.json)', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
    await quickInput(page).fill(`>${nls.category}`);
    await quickRows(page).first().waitFor({ timeout: 15_000 });
    const rows = await stableRows(page);
    log(`  ">${nls.category}" → ${rows.length} row(s): ${JSON.stringify(rows.slice(0, 3))}`);
    // A row of ours starts with its Chinese "类别: 标题"; VS Code may add the English original after
    // it (its alias for non-English display languages) and lists its own view commands too.
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
    const zhTitles = pkg.contributes.commands.map((c) => commandTitle(c.command, LOCALE));
    const ours = rows.filter((r) => zhTitles.some((z) => r.startsWith(z)));
    const englishFirst = rows.filter((r) => r.startsWith(`${english.category}:`));
    if (ours.length < 5) throw new Error(`only ${ours.length} row(s) start with a Chinese command title: ${JSON.stringify(rows)}`);
    if (englishFirst.length) throw new Error(`rows with an English title first: ${JSON.stringify(englishFirst)}`);
    await shot('palette-zh-cn.png');
    for (const id of ['search', 'indexWorkspace', 'clearIndex', 'setApiKey', 'chooseProvider', 'showLog', 'clusterNotes', 'findDuplicates']) {
      const title = commandTitle(`semanticWorkspace.${id}`, LOCALE);
      if (!cjk.test(title) || title === commandTitle(`semanticWorkspace.${id}`)) throw new Error(`package.nls.zh-cn.json has no Chinese title for ${id}: ${title}`);
      await quickInput(page).fill(`>${title}`);
      await quickRows(page).filter({ hasText: title }).first().waitFor({ timeout: 10_000 });
    }
    await page.keyboard.press('Escape');
  });

  await check('Index Workspace run by its Chinese title; the status bar shows the zh-cn chunk count', async () => {
    await runCommand(page, commandTitle('semanticWorkspace.indexWorkspace', LOCALE));
    const chunks = new RegExp(escapeRe(t('{0} chunks')).replace('\\{0\\}', '[\\d,]+'));
    const item = statusItem(page);
    await item.filter({ hasText: chunks }).waitFor({ timeout: 60_000 });
    const text = (await item.innerText()).trim();
    log(`  status bar: ${JSON.stringify(text)}`);
    if (!text.includes(t('offline'))) throw new Error(`status bar lacks "${t('offline')}": ${text}`);
  });

  await check('sidebar webview speaks zh-cn (strings from l10n/bundle.l10n.zh-cn.json)', async () => {
    const frame = await openSidebar(page, nls['viewContainer.title']);
    const placeholder = await frame.locator('#query').getAttribute('placeholder');
    if (placeholder !== t('Search code and notes…')) throw new Error(`search box placeholder ${JSON.stringify(placeholder)}`);
    const glob = await frame.locator('#filter-glob').getAttribute('placeholder');
    if (glob !== t('Folder or glob, e.g. src/ or **/*.md')) throw new Error(`glob filter placeholder ${JSON.stringify(glob)}`);
    for (const [id, en] of [['results', 'Results'], ['topics', 'Topics'], ['tags', 'Tags'], ['related', 'Related']]) {
      const label = await frame.locator(`section#${id}`).getAttribute('aria-label');
      if (label !== t(en) || !cjk.test(label)) throw new Error(`section #${id} is labelled ${JSON.stringify(label)}, want ${JSON.stringify(t(en))}`);
    }
    const toggles = (await frame.locator('.section-toggle').allInnerTexts()).map((s) => s.trim());
    log(`  section headers: ${JSON.stringify(toggles)}`);
    const untranslated = toggles.filter((s) => !cjk.test(s));
    if (untranslated.length) throw new Error(`English section headers: ${JSON.stringify(untranslated)}`);
    // Reported, not failed (yet): the status line ends with the provider's label from src/core,
    // which is not localized ("offline (keyword + workspace LSA)").
    const status = (await frame.locator('#status').innerText()).trim();
    const latin = status.match(/[A-Za-z][A-Za-z +()-]{3,}/g);
    if (latin) log(`  NOTE untranslated text in the sidebar status line ${JSON.stringify(status)}: ${JSON.stringify(latin)}`);
  });

  await check('sidebar search for a Chinese query finds the Chinese note (screenshot sidebar-zh-cn.png)', async () => {
    const frame = await openSidebar(page, nls['viewContainer.title']);
    await frame.locator('#query').fill('');
    await frame.locator('#query').pressSequentially('缓存 淘汰 过期', { delay: 30 });
    const hit = frame.locator('#results .result', { hasText: '缓存策略.md' }).first();
    await hit.waitFor({ timeout: 30_000 });
    const first = (await frame.locator('#results .result').first().innerText()).replace(/\s+/g, ' ').slice(0, 100);
    log(`  first result: ${JSON.stringify(first)}`);
    if (!first.includes('缓存策略.md')) throw new Error(`top result is not 缓存策略.md: ${first}`);
    await settled(frame.locator('div#results'));
    await shot('sidebar-zh-cn.png');
    // Nothing of the manifest's English category is left on screen (the workbench's own strings
    // that the tiny language pack does not translate stay English, and are not ours).
    const body = await page.locator('.monaco-workbench').innerText();
    if (body.includes(english['viewContainer.title'])) throw new Error(`English "${english['viewContainer.title']}" on screen`);
  });
} finally {
  const failed = results.filter((r) => !r.ok).length;
  if (resultFile) fs.writeFileSync(resultFile, JSON.stringify({ passed: results.length - failed, failed }));
  await ctx.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
}
process.exit(results.some((r) => !r.ok) ? 1 : 0);
