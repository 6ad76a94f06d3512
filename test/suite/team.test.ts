/**
 * The team index (issue #16) inside the extension host, against real PostgreSQL: PGlite with the
 * real pgvector over the wire protocol, behind a gate that asks for a password the way PostgreSQL
 * does (teamSupport.ts), and the fake DashScope server counting every embedding request.
 *  - the consent names the database host; before it, not one connection reaches the database;
 *  - without a password the local index is still built and search works, with one notification
 *    offering Set Team Index Password…; a URL pasted with its password has it moved into
 *    SecretStorage (never in settings or logs) and the next run publishes;
 *  - a teammate's clone at another path (the CLI) and this folder with its local index deleted
 *    index with 0 embedding requests (vs. a from-scratch run), and the status bar says
 *    "team index: N chunks shared, M embedded locally";
 *  - with remote search on, the query runs in PostgreSQL, with no local index at all too; when the
 *    database stops, search answers from the local index with a note, and indexing keeps the local
 *    index; with neither, the search fails with a message that says to build the local index.
 * The consent dialog is modal and VS Code refuses modals in test windows: its text comes from the
 * test API (the same function builds the dialog), and consent is granted by the test-only command.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SECTION, api, embedPayload, folder, profileTextFiles, requests, requireFakeServer, setSetting, sleep, ui, uiHelper, waitFor, within, wsPath } from './helpers';
import type { PgliteServer } from '../unit/team/support';
import { runCli, startPasswordGate, startPglite, type PasswordGate } from './teamSupport';

const PASSWORD = 'e2e-team-pw-5c2a91';
const REPO_ID = 'e2e/team-fixture';
const embedsSince = (from: number): number => requests().slice(from).filter((r) => embedPayload(r) && (embedPayload(r)!.textType ?? 'document') === 'document').length;
const teamUrlSetting = (): string | undefined => vscode.workspace.getConfiguration(SECTION).inspect<string>('teamIndex.url')?.globalValue;

/** A copy of the workspace folder at another path: a teammate's clone of the same repository. */
function cloneAt(name: string): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sw-team-clone-')), name);
  fs.cpSync(folder().uri.fsPath, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.vscode`) });
  return dir;
}

const CLI_COMMON = ['--provider', 'dashscope', '--dimensions', '1024', '--chunk-tokens', '1000', '--json'];

export function registerTeamTests(): void {
  suite('Team index (PostgreSQL + pgvector) in VS Code', () => {
    let db: PgliteServer;
    let gate: PasswordGate;
    let fromScratch = 0;

    suiteSetup(async function () {
      this.timeout(120_000);
      requireFakeServer();
      db = await startPglite(4);
      gate = await startPasswordGate(db.port, PASSWORD);
      await vscode.commands.executeCommand('semanticWorkspace.revokeConsent');
      await setSetting('provider', 'dashscope');
      await setSetting('teamIndex.repoId', REPO_ID);
      // Machine-scoped: honoured from the user (or remote) settings only.
      await setSetting('teamIndex.url', gate.url(), vscode.ConfigurationTarget.Global);
    });

    suiteTeardown(async function () {
      this.timeout(30_000);
      await setSetting('teamIndex.remoteSearch', undefined);
      await setSetting('teamIndex.repoId', undefined);
      await setSetting('teamIndex.url', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('semanticWorkspace.clearTeamIndexPassword');
      await setSetting('provider', undefined);
      await vscode.commands.executeCommand('semanticWorkspace.revokeConsent');
      await gate?.close();
      await db?.stop();
      // The note the database-down test wrote: later suites see the workspace as it was.
      fs.rmSync(wsPath('notes/team-offline.md'), { force: true });
    });

    test('the consent names the database host, and before it not one connection reaches the database', async function () {
      this.timeout(120_000);
      const a = await api();
      assert.equal(a.hasConsent(), false, 'consent for the endpoint alone must not cover a team index host');
      const detail = await a.consentPreview();
      assert.match(detail, /Endpoint: /);
      assert.ok(detail.includes(`Team index (PostgreSQL): 127.0.0.1:${gate.port}`), `the consent does not name the database host:\n${detail}`);
      assert.match(detail, /no file text/);
      assert.ok(!detail.includes(PASSWORD));
      // The dialog cannot be answered in a test window: the run ends, and nothing reached the database.
      const reports = await within(a.indexAll().catch(() => undefined), 60_000, 'indexAll without consent');
      assert.equal(reports, undefined, 'indexing went ahead without consent');
      assert.equal(gate.counts.connections, 0, `${gate.counts.connections} connection(s) reached the database before consent`);
    });

    test('no password stored: the local index is built, search works, and one notification offers Set Team Index Password…', async function () {
      this.timeout(180_000);
      const a = await api();
      await vscode.commands.executeCommand('semanticWorkspace.test.grantConsent');
      assert.equal(a.hasConsent(), true);
      // From scratch (the baseline of what a clone costs without the team index).
      await (await a.getEngine(folder().uri))!.clear();
      const from = requests().length;
      const reports = await within(a.indexAll(), 150_000, 'indexAll with a password-less team index');
      const team = reports?.[0]?.team;
      assert.ok(team?.error, 'the run did not report the team index failure');
      assert.equal(team.error.kind, 'auth', team.error.message);
      assert.ok(gate.counts.refused >= 1 && gate.counts.accepted === 0, `gate: ${JSON.stringify(gate.counts)}`);
      const st = await a.refreshStatus();
      assert.equal(st.state, 'ready', 'the local index was not built');
      assert.equal(st.team?.ok, false);
      assert.match(st.team!.text, /password refused/);
      assert.match(st.team!.detail, /search works locally/);
      const told = await a.team();
      assert.match(told.lastNotice ?? '', /Team index: .*password.* Indexing and search go on locally/);
      assert.ok((await a.search('how are api requests rate limited')).length > 0, 'local search returned nothing');
      // The same failure again is not a second notification (the status bar keeps saying it).
      const again = await within(a.indexAll(), 150_000, 'a second run with the same failure');
      assert.equal(again?.[0]?.team?.error?.kind, 'auth');
      assert.equal((await a.team()).notices, told.notices, 'the same failure was notified twice');
      fromScratch = embedsSince(from);
      assert.ok(fromScratch > 0 && reports![0]!.embeddedChunks === reports![0]!.chunks, 'the run did not embed from scratch: no baseline');
    });

    test('a URL pasted with its password: moved into SecretStorage, never in settings or logs; the next run publishes', async function () {
      this.timeout(180_000);
      const a = await api();
      await setSetting('teamIndex.url', gate.url(PASSWORD), vscode.ConfigurationTarget.Global);
      await waitFor('the password to move out of the setting', async () => teamUrlSetting() === gate.url() && (await a.team()).hasPassword, 20_000);
      await sleep(500); // the engines reopen after the setting's second change
      const reports = await within(a.indexAll(), 150_000, 'indexAll with the stored password');
      const team = reports?.[0]?.team;
      assert.ok(team && !team.error, `the team index failed: ${team?.error?.message}`);
      assert.ok(team.published && team.published.chunkRows > 0, 'no snapshot was published');
      assert.ok(gate.counts.accepted >= 1, 'the stored password never reached the database');
      const st = a.lastStatus();
      assert.equal(st.team?.text, `team index: ${team.shared} chunks shared, ${reports![0]!.embeddedChunks} embedded locally`);
      await sleep(1500); // log channels flush to disk asynchronously
      const files = [...profileTextFiles(), wsPath('.vscode/settings.json')].filter((f) => fs.existsSync(f));
      assert.ok(files.some((f) => f.endsWith('settings.json')), 'no settings.json found to check');
      assert.deepEqual(files.filter((f) => fs.readFileSync(f, 'utf8').includes(PASSWORD)), [], 'the password was written to settings or logs');
    });

    test('Set Team Index Password…: a wrong one is refused with one notice and the local index stays; the right one publishes', async function () {
      if (!uiHelper()) this.skip(); // the input box is typed into by run.sh's harness only
      this.timeout(180_000);
      const a = await api();
      const setPassword = async (pw: string): Promise<void> => {
        const run = vscode.commands.executeCommand('semanticWorkspace.setTeamIndexPassword');
        ui({ do: 'input', text: pw });
        await within(run, 30_000, 'setTeamIndexPassword (input box)');
        await sleep(500); // the engines reopen with the new password
      };
      await setPassword('wrong-team-pw');
      const refused = gate.counts.refused;
      const bad = await within(a.indexAll(), 150_000, 'indexAll with a wrong password');
      assert.equal(bad?.[0]?.team?.error?.kind, 'auth', JSON.stringify(bad?.[0]?.team));
      assert.ok(gate.counts.refused > refused, 'the wrong password did not reach the database');
      assert.equal((await a.refreshStatus()).state, 'ready');
      assert.match(a.lastStatus().team?.text ?? '', /password refused/);
      await setPassword(PASSWORD);
      const good = await within(a.indexAll(), 150_000, 'indexAll with the right password');
      assert.ok(good?.[0]?.team && !good[0].team.error, JSON.stringify(good?.[0]?.team));
      assert.equal(a.lastStatus().team?.ok, true);
    });

    test('a teammate\'s clone at another path (CLI) and this folder without its local index embed nothing', async function () {
      this.timeout(240_000);
      const clone = cloneAt('teammate-clone');
      const from = requests().length;
      const cli = await runCli(['index', clone, ...CLI_COMMON, '--index-dir', `${clone}-idx`, '--team-index', gate.url(PASSWORD), '--repo-id', REPO_ID]);
      assert.equal(cli.status, 0, `CLI index failed: ${cli.stderr}`);
      const cliReport = JSON.parse(cli.stdout.trim().split('\n').pop()!) as { chunks: number; embeddedChunks: number; team?: { shared: number } };
      const cliEmbeds = embedsSince(from);
      assert.equal(cliReport.embeddedChunks, 0, `the clone embedded ${cliReport.embeddedChunks} chunks`);
      assert.equal(cliEmbeds, 0, `the clone sent ${cliEmbeds} embedding request(s); from scratch: ${fromScratch}`);
      assert.equal(cliReport.team?.shared, cliReport.chunks);

      // This folder as a fresh clone: its local index deleted, every vector comes from the team index.
      const a = await api();
      const engine = await a.getEngine(folder().uri);
      await engine!.clear();
      const before = requests().length;
      const reports = await within(a.indexAll(), 150_000, 'indexAll as a second clone');
      const r = reports![0]!;
      assert.equal(embedsSince(before), 0, `the extension sent ${embedsSince(before)} embedding request(s); from scratch: ${fromScratch}`);
      assert.equal(r.embeddedChunks, 0);
      assert.ok(r.team && r.team.shared === r.chunks && r.chunks > 0, `shared ${r.team?.shared} of ${r.chunks}`);
      console.log(`    team: from scratch ${fromScratch} embedding request(s) for ${r.chunks} chunks; CLI clone at another path ${cliEmbeds}; this folder without its index ${embedsSince(before)} (${r.team.shared} shared)`);
      const st = await a.refreshStatus();
      assert.equal(st.team?.text, `team index: ${r.chunks} chunks shared, 0 embedded locally`);
      assert.equal(st.team?.ok, true);
      assert.ok((await a.search('how are api requests rate limited')).length > 0);
    });

    test('remote search with no local index at all answers from PostgreSQL (palette, sidebar and API through the door)', async function () {
      this.timeout(240_000);
      const a = await api();
      const engine = (await a.getEngine(folder().uri))!;
      await engine.clear();
      assert.equal((await engine.status()).exists, false, 'the local index was not deleted');
      // Remote search off: no local index is still a refusal that says to index.
      await assert.rejects(a.search('rate limit of api requests per second'), /no semantic index yet/);
      await setSetting('teamIndex.remoteSearch', true);
      await sleep(300);
      const relayed = gate.counts.bytesRelayed;
      const hits = await within(a.search('rate limit of api requests per second'), 40_000, 'a remote search with no local index');
      assert.ok(gate.counts.bytesRelayed > relayed, 'the search did not query the database');
      const known = ['src/rateLimiter.ts', 'notes/rate-limits.md'];
      const hit = hits.slice(0, 3).find((h) => known.includes(h.path));
      assert.ok(hit, `neither ${known.join(' nor ')} is in the remote top 3: ${hits.slice(0, 3).map((h) => h.path).join(', ')}`);
      // A hit names lines of a file that exists here (what opening it shows), with its text as the snippet.
      const lines = fs.readFileSync(wsPath(hit.path), 'utf8').split('\n').length;
      assert.ok(hit.startLine >= 1 && hit.endLine >= hit.startLine && hit.endLine <= lines, `lines ${hit.startLine}-${hit.endLine} of ${lines}`);
      assert.ok(hit.snippet.length > 0, 'the hit has no snippet');
      const ranked = await within(a.searchRanked('deployment checklist before a release'), 40_000, 'the sidebar\'s search with no local index');
      assert.ok(ranked.items.some((h) => h.path === 'notes/deployment.md'), `sidebar: ${ranked.items.map((h) => h.path).join(', ')}`);
      assert.equal((await engine.status()).exists, false, 'searching built a local index');

      // The local index back, for the next test: every vector from the team index.
      await setSetting('teamIndex.remoteSearch', false);
      const before = requests().length;
      const reports = await within(a.indexAll(), 150_000, 'rebuilding the local index from the team index');
      assert.equal(reports?.[0]?.embeddedChunks, 0);
      assert.equal(embedsSince(before), 0);
    });

    test('remote search runs in PostgreSQL; when the database stops, search answers locally with a note and indexing keeps going', async function () {
      this.timeout(180_000);
      const a = await api();
      const query = 'how are api requests rate limited';
      const local = await a.search(query);
      await setSetting('teamIndex.remoteSearch', true);
      await sleep(300);
      const relayed = gate.counts.bytesRelayed;
      const remote = await a.search(query);
      assert.ok(remote.length > 0, 'remote search returned nothing');
      assert.ok(gate.counts.bytesRelayed > relayed, 'the search did not query the database');
      // The same ranking function over the same vectors: the local best result is among the remote top 3.
      assert.ok(remote.slice(0, 3).some((h) => h.path === local[0]!.path), `local best ${local[0]!.path} is not in the remote top 3: ${remote.slice(0, 3).map((h) => h.path).join(', ')}`);
      assert.notEqual(a.lastStatus().team?.text, 'team index unreachable · searching locally');

      // A database that stops answering (no error, no close): the search waits its budget, then answers locally.
      gate.freeze(true);
      const t1 = Date.now();
      const late = await within(a.search('tomatoes sunlight balcony'), 40_000, 'a search with the database hanging');
      console.log(`    team: with the database hanging, the search answered locally after ${Date.now() - t1} ms (${late.length} results)`);
      assert.ok(late.length > 0, 'no local results with the database hanging');
      assert.match(a.lastStatus().team?.text ?? '', /searching locally/);
      assert.match(a.lastStatus().team?.detail ?? '', /did not answer the search within/);
      gate.freeze(false);
      const hangNotice = (await a.team()).lastNotice;
      assert.match(hangNotice ?? '', /did not answer the search within/);
      // A settings change retries the database at once (otherwise it waits 30 s after a failure).
      await setSetting('teamIndex.remoteSearch', false);
      await setSetting('teamIndex.remoteSearch', true);
      await sleep(300);

      await db.stop();
      const t0 = Date.now();
      const fallback = await within(a.search('where is the deployment checklist'), 30_000, 'a search with the database down');
      console.log(`    team: with the database stopped, the search answered locally after ${Date.now() - t0} ms (${fallback.length} results)`);
      assert.ok(fallback.length > 0, 'no local results with the database down');
      const st = a.lastStatus();
      assert.equal(st.team?.ok, false);
      assert.match(st.team!.text, /searching locally/);
      assert.match(st.team!.detail, /results come from the local index/);
      const stopNotice = (await a.team()).lastNotice ?? '';
      assert.notEqual(stopNotice, hangNotice, 'the stopped database gave no notification of its own');
      assert.match(stopNotice, /Indexing and search go on locally/);

      // An edit while the database is down: indexed locally, found by search; the run says why nothing was shared.
      fs.writeFileSync(wsPath('notes/team-offline.md'), '# Offline checklist\n\nThe quokka-walrus drill runs when the team database is down.\n');
      const reports = await within(a.indexAll(), 150_000, 'indexAll with the database down');
      const team = reports?.[0]?.team;
      assert.ok(team?.error && /unreachable|lost/.test(team.error.kind), `expected an unreachable database, got ${JSON.stringify(team?.error)}`);
      assert.equal((await a.refreshStatus()).state, 'ready');
      const hits = await a.search('quokka-walrus drill');
      assert.ok(hits.some((h) => h.path === 'notes/team-offline.md'), 'the edit is not in the local index');

      // Neither index: the search says so and what fixes it — no hang, no silent empty list.
      await (await a.getEngine(folder().uri))!.clear();
      const expected = /The team index at 127\.0\.0\.1:\d+ could not answer the search \(.+\), and this workspace has no local index to fall back on\. Run "Index Workspace" to build the local index\./;
      await assert.rejects(within(a.search('steps of the deployment checklist'), 40_000, 'a search with neither index'), expected);
      await assert.rejects(within(a.searchRanked('balcony tomatoes need sunlight'), 40_000, 'the sidebar\'s search with neither index'), expected);
      assert.equal(a.lastStatus().team?.text, 'team index unreachable · no local index');
    });
  });
}
