// UI checks of the "Beyond search" surfaces in the sidebar — Related, Topics with the 2-D map, Tags
// (Classify Selection) and Find Duplicates — run by ui.mjs on the offline index it has built.
import fs from 'node:fs';
import path from 'node:path';
import { activeTab, commandTitle, contextMenuItems, openFile, openSidebar, quickInput, quickRows, runCommand, settled, sidebarFrame, sleep, stableRows, waitUntil } from './lib.mjs';

/** The "Beyond search" surfaces in the sidebar: Related, Topics (with the 2-D map) and Tags. */
export async function analysisChecks({ page, check, log, shot, ws, artifacts, tagLabels }) {
  /** Paths (the links' title) in the Related list, top first. */
  const relatedPaths = async (frame) => frame.locator('#related [data-testid=related-list] li a.link').evaluateAll((as) => as.map((a) => a.getAttribute('title')));
  /** Waits until the Related list's top `n` satisfy `ok`; returns the whole list. */
  async function relatedUntil(frame, ok, what, n = 3) {
    return waitUntil(`Related shows ${what}`, async () => {
      const list = await relatedPaths(frame).catch(() => []);
      return list.length && ok(list.slice(0, n)) ? list : false;
    }, 30_000, 300);
  }

  await check('Related follows the active editor: rateLimiter.ts → rate-limits.md on top; a gardening note → gardening notes', async () => {
    const frame = await openSidebar(page);
    await openFile(page, 'src/rateLimiter.ts');
    const forCode = await relatedUntil(frame, (top) => top.includes('notes/rate-limits.md'), 'notes/rate-limits.md in its top 3');
    const subtitle = (await frame.locator('#related .subtitle').first().innerText().catch(() => '')).trim();
    log(`  related for rateLimiter.ts (${JSON.stringify(subtitle)}): ${JSON.stringify(forCode.slice(0, 5))}`);
    if (forCode.includes('src/rateLimiter.ts')) throw new Error('the active file lists itself as related');
    await openFile(page, 'notes/compost.md');
    const plants = ['notes/herbs.md', 'notes/gardening.md'];
    const forNote = await relatedUntil(frame, (top) => !top.includes('notes/rate-limits.md') && plants.some((p) => top.includes(p)), 'a gardening note (and not rate-limits.md) in its top 3');
    const subtitle2 = (await frame.locator('#related .subtitle').first().innerText().catch(() => '')).trim();
    log(`  related for compost.md (${JSON.stringify(subtitle2)}): ${JSON.stringify(forNote.slice(0, 5))}`);
    if (JSON.stringify(forNote) === JSON.stringify(forCode)) throw new Error('the list did not change with the active editor');
    if (subtitle && subtitle2 && subtitle === subtitle2) throw new Error(`the "related to" line did not change: ${subtitle}`);
  });

  await check('Cluster Notes (sidebar button) shows topics and a 2-D map; hover names a point, click opens its note (screenshot topics-map.png)', async () => {
    await runCommand(page, 'View: Close All Editors');
    const frame = await openSidebar(page);
    await frame.locator('[data-testid=cluster-notes]').click();
    const points = frame.locator('#topics [data-testid=topic-map] [data-testid=map-point]');
    await points.first().waitFor({ timeout: 60_000 });
    const n = await points.count();
    const topics = await frame.locator('#topics [data-testid=topic]').evaluateAll((ds) => ds.map((d) => ({
      name: d.querySelector('.topic-name')?.textContent ?? '',
      members: [...d.querySelectorAll('.members .member a')].map((a) => a.textContent),
    })));
    const outliers = await frame.locator('#topics [data-testid=topic-outliers] .member a').allTextContents();
    log(`  ${n} map point(s); topics: ${JSON.stringify(topics)}; outliers: ${JSON.stringify(outliers)}`);
    if (n < 8) throw new Error(`only ${n} points on the map (the fixture has 9 notes)`);
    if (topics.length < 2) throw new Error(`only ${topics.length} topic(s)`);
    // The fixture has an ops group and a plants group: they must not end up in one topic.
    const ops = ['notes/release-process.md', 'notes/on-call-runbook.md', 'notes/deployment.md'];
    const plants = ['notes/compost.md', 'notes/herbs.md', 'notes/gardening.md'];
    const topicOf = (title) => topics.findIndex((t) => t.members.includes(title));
    const opsTopics = new Set(ops.map(topicOf).filter((i) => i >= 0));
    const plantTopics = new Set(plants.map(topicOf).filter((i) => i >= 0));
    if (!opsTopics.size || !plantTopics.size) throw new Error('the ops or the plants notes are in no topic');
    if ([...opsTopics].some((i) => plantTopics.has(i))) throw new Error('ops and plants notes share a topic');
    // Hover: the point carries its note's title (SVG <title>, shown as a tooltip) and an accessible name.
    const point = frame.locator('#topics [data-testid=map-point]', { has: frame.locator('title', { hasText: 'herbs.md' }) }).first();
    await point.scrollIntoViewIfNeeded();
    await point.hover();
    const tip = await point.locator('title').textContent();
    const aria = await point.getAttribute('aria-label');
    if (!tip?.includes('herbs.md') || aria !== tip) throw new Error(`hovered point names ${JSON.stringify(tip)} / aria ${JSON.stringify(aria)}`);
    await settled(frame.locator('#topics [data-testid=topic-map]'));
    await shot('topics-map.png');
    await page.locator('iframe.webview.ready').first().screenshot({ path: path.join(artifacts, 'topics-map-sidebar.png') });
    await point.click();
    await activeTab(page, 'herbs.md');
    // A member in the topic list opens its note as well.
    await runCommand(page, 'View: Close All Editors');
    const member = frame.locator('#topics [data-testid=topic] .member a', { hasText: 'release-process.md' }).first();
    await member.locator('xpath=ancestor::details').evaluate((d) => { d.open = true; });
    await member.click();
    await activeTab(page, 'release-process.md');
  });

  await check('Classify Selection from the context menu shows its scores in the sidebar only (no QuickPick over the editor); Apply writes tags: to the note\'s frontmatter', async () => {
    const file = path.join(ws, 'notes/herbs.md');
    const original = fs.readFileSync(file, 'utf8');
    await openSidebar(page); // its Tags section is where the scores go
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'notes/herbs.md');
    // Select the paragraph (lines 3–5): click into its first line, Home, Shift+Down ×2, Shift+End.
    const first = page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'Herbs in pots dry out quickly' }).first();
    const selection = page.locator('.statusbar-item[id="status.editor.selection"]').first();
    for (let i = 0; ; i++) {
      await first.click();
      await page.keyboard.press('Home');
      await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.press('Shift+End');
      if (await selection.filter({ hasText: /selected/ }).waitFor({ timeout: 3000 }).then(() => true).catch(() => false)) break;
      if (i === 2) throw new Error(`no selection: ${await selection.textContent()}`);
    }
    log(`  selection: ${JSON.stringify((await selection.textContent())?.trim())}`);
    const items = await contextMenuItems(page, first.locator('span', { hasText: 'Herbs' }).first());
    if (!items.some((i) => i.includes('Classify Selection'))) throw new Error(`context menu lacks Classify Selection: ${JSON.stringify(items)}`);
    const item = page.getByRole('menuitem', { name: /Classify Selection/ }).first();
    await item.hover();
    await item.click({ delay: 50 });
    const frame = sidebarFrame(page);
    const rows = frame.locator('#tags [data-testid=tag-scores] [data-testid=tag-row]');
    await rows.first().waitFor({ timeout: 30_000 });
    const table = await rows.evaluateAll((trs) => trs.map((tr) => ({
      label: tr.getAttribute('data-label'),
      score: Number(tr.querySelector('td.score')?.textContent),
      checked: tr.querySelector('input[type=checkbox]')?.checked ?? false,
    })));
    // The sidebar scrolls to the fresh scores (the Tags section sits below the search results).
    await settled(frame.locator('#tags [data-testid=tag-scores]'));
    const inView = await frame.locator('#tags [data-testid=tag-scores]').evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight;
    });
    if (!inView) throw new Error('the Tags section with the scores is not scrolled into view');
    const mode = await frame.locator('#tags [data-testid=tags-mode]').innerText().catch(() => '');
    log(`  tags (${JSON.stringify(mode)}): ${JSON.stringify(table)}`);
    // One flow: no QuickPick repeats the table over the editor.
    await sleep(500);
    if (await quickInput(page).isVisible().catch(() => false)) throw new Error(`a QuickPick opened over the editor as well: ${JSON.stringify(await stableRows(page))}`);
    await shot('classify-selection.png');
    const labels = tagLabels.map((l) => l.label);
    if (table.length !== labels.length || !labels.every((l) => table.some((r) => r.label === l))) throw new Error(`the table does not list every label: ${JSON.stringify(table.map((r) => r.label))}`);
    if (table.some((r) => !Number.isFinite(r.score))) throw new Error('a label has no numeric score');
    for (let i = 1; i < table.length; i++) if (table[i].score > table[i - 1].score) throw new Error(`not ranked by score: ${JSON.stringify(table)}`);
    if (table[0].label !== 'gardening') throw new Error(`"gardening" is not ranked first: ${table[0].label}`);
    if (!table[0].checked) throw new Error('"gardening" is not pre-selected');
    // Apply only "gardening" (uncheck any other pre-selected label) with the sidebar's Apply button.
    for (const r of table.slice(1)) {
      if (r.checked) await frame.locator(`#tags [data-testid=tag-row][data-label="${r.label}"] [data-testid=tag-check]`).uncheck();
    }
    await frame.locator('#tags [data-testid=apply-tags]').click();
    await frame.locator('#tags [data-testid=tags-feedback]', { hasText: /gardening/ }).waitFor({ timeout: 15_000 });
    // The edit may be left unsaved for review: save it (Ctrl+S) and read the file from disk.
    // Apply edits the open document (one undoable edit): its tab turns dirty.
    const dirty = await page.locator('.tabs-container .tab.dirty', { hasText: 'herbs.md' }).first().waitFor({ timeout: 10_000 }).then(() => true).catch(() => false);
    log(`  after Apply: tab ${dirty ? 'dirty' : 'not dirty'}, disk ${fs.readFileSync(file, 'utf8') === original ? 'unchanged' : 'changed'}`);
    if (!dirty && fs.readFileSync(file, 'utf8') === original) throw new Error('Apply changed neither the open editor nor the file');
    await page.locator('.tabs-container .tab.active', { hasText: 'herbs.md' }).click();
    await page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'rosemary' }).first().click();
    await page.keyboard.press('Control+S');
    const want = `---\ntags:\n  - gardening\n---\n${original}`;
    const text = await waitUntil('herbs.md on disk holds the original with tags: [gardening] frontmatter', () => {
      const t = fs.readFileSync(file, 'utf8');
      return t === want ? t : false;
    }, 10_000, 200);
    log(`  saved: ${JSON.stringify(text.split('\n').slice(0, 5).join('\n'))}`);
  });

  await check('Tags made for one file are marked stale with Apply off while another file is open (screenshot tags-stale.png)', async () => {
    await openFile(page, 'src/csvParser.ts');
    const frame = sidebarFrame(page);
    const note = frame.locator('#tags [data-testid=tags-stale]');
    await note.waitFor({ timeout: 15_000 });
    const disabled = await frame.locator('#tags [data-testid=apply-tags]').isDisabled();
    log(`  stale note: ${JSON.stringify((await note.innerText()).trim())}; Apply disabled: ${disabled}`);
    if (!disabled) throw new Error('Apply stays live while another file is open');
    await frame.locator('#tags').screenshot({ path: path.join(artifacts, 'tags-stale.png') });
    await openFile(page, 'notes/herbs.md');
    await note.waitFor({ state: 'detached', timeout: 15_000 });
    if (await frame.locator('#tags [data-testid=apply-tags]').isDisabled()) throw new Error('Apply stays off back on herbs.md');
  });

  await check('Find Duplicates lists one row per pair of files; a planted near-copy note is one row and opens side by side (screenshot duplicates.png)', async () => {
    const copy = fs.readFileSync(path.join(ws, 'notes/deployment.md'), 'utf8').replace('for ten minutes', 'for fifteen minutes');
    fs.writeFileSync(path.join(ws, 'notes/deployment-copy.md'), copy);
    try {
      await sleep(2500); // the watcher's debounce: the copy is indexed live
      let rows = [];
      for (let i = 0; i < 10; i++) {
        await runCommand(page, commandTitle('semanticWorkspace.findDuplicates'));
        await quickInput(page).waitFor({ state: 'visible', timeout: 30_000 });
        rows = (await stableRows(page)).filter(Boolean);
        if (rows.some((r) => r.includes('deployment-copy.md'))) break;
        await page.keyboard.press('Escape');
        await sleep(1000);
      }
      log(`  rows: ${JSON.stringify(rows)}`);
      const copies = rows.filter((r) => r.includes('deployment-copy.md'));
      if (copies.length !== 1) throw new Error(`the near-copy appears in ${copies.length} rows`);
      if (!/\d+% /.test(copies[0])) throw new Error(`the row does not say how much matches: ${copies[0]}`);
      await shot('duplicates.png');
      await quickRows(page).filter({ hasText: 'deployment-copy.md' }).first().click();
      await page.locator('.editor-group-container').nth(1).waitFor({ timeout: 15_000 });
      const groups = await page.locator('.editor-group-container').count();
      if (groups < 2) throw new Error('the pair did not open side by side');
      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'View: Single Column Editor Layout');
    } finally {
      fs.rmSync(path.join(ws, 'notes/deployment-copy.md'), { force: true });
    }
  });
}
