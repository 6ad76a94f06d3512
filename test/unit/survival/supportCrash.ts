/**
 * The crash-consistency loop shared by crash.test.ts (offline) and crashRemote.test.ts
 * (DashScope against the fake server): index a generated corpus with the real CLI, SIGKILL it at a
 * seeded random moment, edit a few files now and then, and after every kill check that
 *  - `search --json` works (exit 0) or says what to do (exit 2 + message), never a stack trace;
 *  - what search would read is a fully checksummed generation (openIndex with fullVerify) whose
 *    every file is a version we actually wrote, every line range lies inside that version, and
 *    every vector is the right one (remote: equal to the fake's vector of the text sent; offline:
 *    the same vector every time this chunk was seen under this basis);
 *  - when search refuses a damaged index, the next completed `index` warns and rebuilds.
 * The end: one uninterrupted run completes, and its results for a fixed query set equal a clean
 * run's on the same final tree.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { createEmbedder } from '../../../src/core/embedderFactory';
import { openIndex } from '../../../src/core/index';
import { fakeEmbedding } from '../../fake-dashscope/fakeVectors';
import {
  cliEnv, procCpuMs, generateCorpus, generatedFile, parseJsonLines, pick, rng, runCli, startCli, tempDir, writeCorpus, writeQueries,
  type FakeProcess, type SearchLine,
} from './support';
import { QUERIES, assertCleanFailure, hasJournal, listSpaceFiles, peekManifest, resultKeys, searchAll } from './supportCrashIndex';

export interface CrashOptions {
  readonly provider: 'offline' | 'dashscope';
  readonly kills: number;
  readonly files: number;
  readonly seed: number;
  readonly fake?: FakeProcess;
  /** Extra CLI flags for index runs. */
  readonly indexFlags?: readonly string[];
}

export interface CrashStats {
  kills: number;
  runsCompleted: number;
  edits: number;
  rebuildRuns: number;
  /** State of the index right after each kill. */
  afterKill: { unchanged: number; journalOnly: number; newGeneration: number; noIndexYet: number };
  /** By kind: at a fraction of progress (CPU / server requests), aimed at a commit, wall clock. */
  killKinds: { progress: number; aimed: number; wall: number };
  searchOk: number;
  searchExit2: number;
  rebuildWarnings: number;
  verifiedGenerations: number;
  vectorsChecked: number;
  killTimesMs: number[];
  fullRunMs: number;
  seconds: number;
  /** Remote: texts the server embedded during the kill loop, and how many of them more than once. */
  billing?: { texts: number; billedTwiceOrMore: number; requests: number };
}

const fileHash = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
const textHash32 = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);

export async function crashLoop(t: TestContext, o: CrashOptions): Promise<CrashStats> {
  const t0 = Date.now();
  const r = rng(o.seed);
  const root = tempDir('sw-crash-root-');
  const tree = generateCorpus(o.seed, o.files);
  writeCorpus(root, tree);
  // path → (file hash → line count) of every version ever written.
  const versions = new Map<string, Map<string, number>>();
  const remember = (p: string, text: string) => {
    if (!versions.has(p)) versions.set(p, new Map());
    versions.get(p)!.set(fileHash(text), text.split(/\r?\n/).length);
  };
  for (const [p, text] of tree) remember(p, text);

  const indexDir = path.join(tempDir('sw-crash-idx-'), 'idx');
  const env = o.provider === 'offline' ? cliEnv() : cliEnv({ DASHSCOPE_API_KEY: 'sk-crash0123456789abcdef0123456789', DASHSCOPE_BASE_URL: o.fake!.url });
  const flags = ['--provider', o.provider, ...(o.indexFlags ?? [])];
  const queries = writeQueries(QUERIES);

  // How long a clean full run takes on this machine right now: the kill times are spread over it.
  // Progress is measured in what the run consumes rather than wall time (the machine may be
  // busy): CPU time of the process offline, requests the server received remotely.
  const reqsBefore = o.fake ? (await o.fake.counters()).requests : 0;
  const probeRun = startCli(['index', root, '--index-dir', path.join(tempDir('sw-crash-probe-'), 'idx'), '--json', ...flags], { env });
  let probeCpu = 0;
  const cpuPoll = setInterval(() => (probeCpu = procCpuMs(probeRun.child.pid) ?? probeCpu), 5);
  const probe = await probeRun.result;
  clearInterval(cpuPoll);
  assert.equal(probe.code, 0, probe.stderr);
  const fullMs = probe.ms;
  const fullCpu = Math.max(200, probeCpu);
  const fullRequests = o.fake ? (await o.fake.counters()).requests - reqsBefore : 0;
  let incMs = Math.max(300, fullMs * 0.3);
  let incCpu = fullCpu * 0.4;

  const embedder = createEmbedder({ root, provider: o.provider, apiKey: 'sk-crash0123456789abcdef0123456789', remote: o.fake ? { baseUrl: o.fake.url } : undefined });
  // Remote: the text behind each chunk hash, from the bodies the server received.
  const textsByHash = new Map<string, string>();
  let capturedFrom = 0;
  const refreshTexts = async () => {
    if (!o.fake) return;
    const reqs = await o.fake.requests(capturedFrom);
    capturedFrom += reqs.length;
    for (const q of reqs) {
      try {
        const body = JSON.parse(q.body) as { input?: { texts?: string[] }; parameters?: { text_type?: string } };
        if (body.parameters?.text_type !== 'document') continue;
        for (const text of body.input?.texts ?? []) textsByHash.set(textHash32(text), text);
      } catch {
        /* a body cut by a kill */
      }
    }
  };
  const expectedVector = new Map<string, Float32Array>();
  const offlineSeen = new Map<string, Float32Array>();

  const stats: CrashStats = {
    kills: 0, runsCompleted: 0, edits: 0, rebuildRuns: 0, killKinds: { progress: 0, aimed: 0, wall: 0 },
    afterKill: { unchanged: 0, journalOnly: 0, newGeneration: 0, noIndexYet: 0 },
    searchOk: 0, searchExit2: 0, rebuildWarnings: 0, verifiedGenerations: 0, vectorsChecked: 0, killTimesMs: [], fullRunMs: fullMs, seconds: 0,
  };
  const basisTrees = new Map<string, Map<string, string>>();
  let expectRebuildWarning = false;
  let editSerial = 100_000;

  const verifyCommitted = async () => {
    const opened = openIndex({ indexDir, embedder, fullVerify: true });
    assert.equal(opened.status, 'ok', `search worked but the generation does not verify: ${JSON.stringify(opened)}`);
    if (opened.status !== 'ok') return;
    const idx = opened.index;
    stats.verifiedGenerations++;
    for (const f of idx.files) {
      const lineCount = versions.get(f.path)?.get(f.hash);
      assert.ok(lineCount !== undefined, `indexed ${f.path} with a hash (${f.hash}) of no version ever written`);
      for (let i = f.firstChunk; i < f.firstChunk + f.chunkCount; i++) {
        const c = idx.chunks[i];
        assert.equal(c.path, f.path, 'chunk rows follow the file order');
        assert.ok(c.startLine >= 1 && c.endLine >= c.startLine && c.endLine <= lineCount, `${c.path}:${c.startLine}-${c.endLine} outside its ${lineCount} lines`);
      }
    }
    if (o.provider === 'dashscope') await refreshTexts();
    const basis = idx.fingerprint.basisId ?? '';
    idx.chunks.forEach((c, row) => {
      const v = idx.vectors.subarray(row * idx.dims, (row + 1) * idx.dims);
      if (o.provider === 'dashscope') {
        const text = textsByHash.get(c.hash);
        assert.ok(text !== undefined, `stored vector for ${c.path}:${c.startLine} whose text the server never received`);
        let want = expectedVector.get(c.hash);
        if (!want) expectedVector.set(c.hash, (want = fakeEmbedding(text, { model: 'text-embedding-v4', dims: idx.dims, textType: 'document' })));
        assert.ok(want.every((x, i) => x === v[i]), `stored vector of ${c.path}:${c.startLine} is not the server's`);
      } else {
        const key = `${basis}\0${c.hash}`;
        const seen = offlineSeen.get(key);
        if (!seen) offlineSeen.set(key, Float32Array.from(v));
        else assert.ok(seen.every((x, i) => x === v[i]), `vector of ${c.path}:${c.startLine} changed under the same basis`);
        assert.ok(v.every(Number.isFinite), 'finite vectors');
      }
      stats.vectorsChecked++;
    });
    return idx;
  };

  const editSome = () => {
    const n = 1 + Math.floor(r() * 4);
    const paths = [...tree.keys()];
    for (let k = 0; k < n; k++) {
      const what = r();
      editSerial++;
      if (what < 0.55) {
        const p = pick(r, paths);
        const ext = path.extname(p).slice(1);
        const kind = { ts: 0, py: 1, go: 2, md: 3 }[ext] ?? 3;
        const add = generatedFile(r, editSerial, kind, 1).text.replace(/^package main\n\n/, '');
        tree.set(p, tree.get(p)! + '\n' + add);
      } else if (what < 0.8) {
        const kind = Math.floor(r() * 4);
        const g = generatedFile(r, editSerial, kind, 2 + Math.floor(r() * 3));
        tree.set(`added/n${editSerial}.${g.ext}`, g.text);
      } else if (tree.size > o.files / 2) {
        const p = pick(r, paths);
        tree.delete(p);
        fs.rmSync(path.join(root, p), { force: true });
      }
    }
    for (const [p, text] of tree) {
      const abs = path.join(root, p);
      if (!fs.existsSync(abs) || fs.readFileSync(abs, 'utf8') !== text) {
        fs.mkdirSync(path.dirname(abs), { recursive: true });
        fs.writeFileSync(abs, text);
        remember(p, text);
      }
    }
    stats.edits += n;
  };

  let lastCompleted = false;
  let billedBefore: Record<string, number> = {};
  if (o.fake) billedBefore = (await o.fake.counters()).embedCounts;
  for (let iter = 0; stats.kills < o.kills && iter < o.kills * 4; iter++) {
    const before = peekManifest(indexDir);
    const rebuild = before !== undefined && r() < 0.2;
    // Edit between some runs — and always when the index is up to date and this is no rebuild,
    // or the run would have nothing to do worth killing.
    if (iter > 0 && (r() < 0.35 || (lastCompleted && !rebuild))) editSome();
    const snapshot = new Map(tree);
    if (rebuild) stats.rebuildRuns++;
    // Kinds of kill: (a) at a seeded fraction of the run's progress — CPU time offline, requests
    // received by the server remotely — so they spread over the run whatever the machine's load;
    // (b) aimed at the commit: a few ms after a data file of a new generation (or the manifest's
    // temp file) appears; (c) at a random wall-clock moment (weighted towards the end).
    const roll = r();
    const kind: 'progress' | 'aimed' | 'wall' = roll < 0.5 ? 'progress' : roll < 0.8 ? 'aimed' : 'wall';
    const frac = 0.02 + r();
    const full = rebuild || !before;
    const wallAt = Math.round((full ? fullMs : incMs) * (kind === 'wall' ? (r() < 0.3 ? 0.7 + 0.4 * r() : 0.05 + r()) : 3));
    const cpuAt = frac * (full ? fullCpu : incCpu);
    const aimDelay = Math.floor(r() * 25);
    const known = new Set(listSpaceFiles(indexDir));
    const reqBase = o.fake ? await o.fake.requestCount() : 0;
    // An incremental run sends a request or two (a few edited files): kill right after the first.
    const reqAt = reqBase + (full ? Math.max(1, Math.round(frac * fullRequests)) : 1);
    const run = startCli(['index', root, '--index-dir', indexDir, '--json', ...flags, ...(rebuild ? ['--rebuild'] : [])], { env, timeoutMs: 120_000 });
    const t1 = Date.now();
    let killedAfter = -1;
    let lastCpu = 0;
    const kill = (delay = 0) => {
      if (killedAfter >= 0) return;
      killedAfter = Date.now() - t1 + delay;
      setTimeout(() => run.child.kill('SIGKILL'), delay);
    };
    const timer = setTimeout(() => kill(), wallAt);
    let polling = false;
    const watcher = setInterval(() => {
      if (killedAfter >= 0 || polling) return;
      lastCpu = procCpuMs(run.child.pid) ?? lastCpu;
      if (kind === 'aimed') {
        if (listSpaceFiles(indexDir).some((n) => !known.has(n) && /(?:^|\/)(?:vectors|chunks|keyword|model)-[^/]*$|manifest\.json\.tmp$/.test(n))) kill(aimDelay);
      } else if (kind === 'progress') {
        if (!o.fake) {
          if (lastCpu >= cpuAt) kill();
        } else {
          polling = true;
          void o.fake.requestCount().then((n) => {
            polling = false;
            if (n >= reqAt) kill();
          }, () => (polling = false));
        }
      }
    }, 3);
    const res = await run.result;
    clearTimeout(timer);
    clearInterval(watcher);
    const after = peekManifest(indexDir);
    if (after && after.basisId && !basisTrees.has(after.basisId)) basisTrees.set(after.basisId, snapshot);

    lastCompleted = res.signal !== 'SIGKILL';
    if (res.signal === 'SIGKILL') {
      stats.kills++;
      stats.killTimesMs.push(killedAfter);
      stats.killKinds[kind]++;
      if (!after) stats.afterKill.noIndexYet++;
      else if (!before || after.generation !== before.generation) stats.afterKill.newGeneration++;
      else if (hasJournal(indexDir)) stats.afterKill.journalOnly++;
      else stats.afterKill.unchanged++;
    } else {
      assertCleanFailure(res, 'index');
      assert.equal(res.code, 0, `an uninterrupted index run failed: ${res.stderr}`);
      const report = JSON.parse(res.stdout) as { warnings?: string[]; incomplete?: boolean };
      if (expectRebuildWarning) {
        assert.ok((report.warnings ?? []).some((w) => /rebuild|damaged|unreadable/i.test(w)), `damage went unreported: ${res.stdout}`);
        stats.rebuildWarnings++;
        expectRebuildWarning = false;
      }
      stats.runsCompleted++;
      if (!rebuild && before) {
        incMs = Math.max(300, res.ms);
        incCpu = Math.max(100, lastCpu);
      }
    }

    // After every run (killed or not): search works or says why, and what it reads is right.
    const s = await runCli(['search', root, '--queries-file', queries, '--index-dir', indexDir, '--json', '--top-k', '5', '--provider', o.provider], { env, timeoutMs: 60_000 });
    assertCleanFailure(s, `search after kill #${stats.kills}`);
    assert.ok(s.code === 0 || s.code === 2, `search after a kill exited ${s.code}: ${s.stderr}`);
    if (s.code === 2) {
      stats.searchExit2++;
      assert.equal(s.stdout, '', 'no JSON on failure');
      assert.match(s.stderr, /semantic-workspace index|index again|rebuild/i, 'the message says what to run');
      if (after) expectRebuildWarning = true; // a manifest exists but search refused it: damage
      continue;
    }
    stats.searchOk++;
    const idx = await verifyCommitted();
    const lines = parseJsonLines(s.stdout) as unknown as SearchLine[];
    assert.equal(lines.length, QUERIES.length);
    const files = new Map(idx?.files.map((f) => [f.path, f]));
    for (const l of lines) {
      for (const h of l.results) {
        const f = files.get(h.path);
        assert.ok(f, `search returned ${h.path}, which is not in the committed generation`);
        assert.ok(h.endLine <= versions.get(h.path)!.get(f.hash)!, `search returned lines outside ${h.path}`);
      }
    }
  }
  assert.equal(stats.kills, o.kills, `only ${stats.kills} of ${o.kills} runs could be killed`);

  if (o.fake) {
    const now = (await o.fake.counters()).embedCounts;
    const billed = Object.entries(now).map(([h, n]) => n - (billedBefore[h] ?? 0)).filter((n) => n > 0);
    stats.billing = { texts: billed.length, billedTwiceOrMore: billed.filter((n) => n > 1).length, requests: (await o.fake.counters()).requests };
  }

  // The final, uninterrupted run.
  const fin = await runCli(['index', root, '--index-dir', indexDir, '--json', ...flags], { env });
  assertCleanFailure(fin, 'final index');
  assert.equal(fin.code, 0, fin.stderr);
  const finReport = JSON.parse(fin.stdout) as { incomplete?: boolean; filesIndexed: number; warnings?: string[] };
  // The final run fits a basis of its own when nothing usable was committed before it (every kill
  // landed before the first commit, or damage made it rebuild): that basis is the final tree's.
  const finManifest = peekManifest(indexDir);
  if (finManifest?.basisId && !basisTrees.has(finManifest.basisId)) basisTrees.set(finManifest.basisId, new Map(tree));
  assert.ok(!finReport.incomplete, 'the final run completes');
  if (expectRebuildWarning) assert.ok((finReport.warnings ?? []).some((w) => /rebuild|damaged|unreadable/i.test(w)));
  assert.equal(finReport.filesIndexed, tree.size, 'every file of the final tree is indexed');
  const finalIdx = await verifyCommitted();

  // References. Keyword scores depend only on the final chunks: a clean run on the final tree.
  // Offline vectors depend on the basis too, which is frozen at the build that fitted it (by
  // design): the dense reference replays that build's tree, then the final tree, uninterrupted.
  const cleanRoot = tempDir('sw-crash-clean-');
  writeCorpus(cleanRoot, tree);
  const cleanIdx = path.join(tempDir('sw-crash-cleanidx-'), 'idx');
  const clean = await runCli(['index', cleanRoot, '--index-dir', cleanIdx, '--json', ...flags], { env });
  assert.equal(clean.code, 0, clean.stderr);

  let denseRoot = cleanRoot;
  let denseIdx = cleanIdx;
  if (o.provider === 'offline') {
    const basisId = finalIdx!.fingerprint.basisId!;
    const basisTree = basisTrees.get(basisId);
    assert.ok(basisTree, `no record of the tree basis ${basisId} was fitted on; known ${[...basisTrees.keys()].join(",")}; final warnings ${JSON.stringify(finReport.warnings)}; stats ${JSON.stringify(stats)}`);
    denseRoot = tempDir('sw-crash-replay-');
    denseIdx = path.join(tempDir('sw-crash-replayidx-'), 'idx');
    writeCorpus(denseRoot, basisTree);
    const a = await runCli(['index', denseRoot, '--index-dir', denseIdx, '--json'], { env });
    assert.equal(a.code, 0, a.stderr);
    for (const p of basisTree.keys()) if (!tree.has(p)) fs.rmSync(path.join(denseRoot, p));
    writeCorpus(denseRoot, tree);
    const b = await runCli(['index', denseRoot, '--index-dir', denseIdx, '--json'], { env });
    assert.equal(b.code, 0, b.stderr);
    assert.equal(peekManifest(denseIdx)?.basisId, basisId, 'fitting the same tree gives the same basis (deterministic fit)');
  }
  let compared = 0;
  for (const mode of ['keyword', 'hybrid', 'dense']) {
    const got = resultKeys((await searchAll(root, indexDir, mode, env, o.provider)).lines);
    const refRoot = mode === 'keyword' ? cleanRoot : denseRoot;
    const refIdx = mode === 'keyword' ? cleanIdx : denseIdx;
    const want = resultKeys((await searchAll(refRoot, refIdx, mode, env, o.provider)).lines);
    assert.deepEqual(got, want, `--mode ${mode}: results after ${stats.kills} kills differ from an uninterrupted run`);
    compared += got.flat().length;
  }
  stats.seconds = (Date.now() - t0) / 1000;
  t.diagnostic(`${o.provider}: kills survived ${stats.kills}/${o.kills}; runs completed between kills ${stats.runsCompleted}; ` +
    `state after kill ${JSON.stringify(stats.afterKill)}; kill kinds ${JSON.stringify(stats.killKinds)}; rebuild runs ${stats.rebuildRuns}; files edited ${stats.edits}`);
  t.diagnostic(`${o.provider}: search after kill ok ${stats.searchOk}, exit 2 ${stats.searchExit2}, damage rebuilds ${stats.rebuildWarnings}; ` +
    `generations fully verified ${stats.verifiedGenerations}, vectors checked ${stats.vectorsChecked}; ` +
    `kill times ${Math.min(...stats.killTimesMs)}–${Math.max(...stats.killTimesMs)} ms of a ${fullMs} ms (${Math.round(fullCpu)} ms CPU${o.fake ? `, ${fullRequests} requests` : ''}) full run; ` +
    `final results equal to a clean run (${compared} hits in 3 modes); ${stats.seconds.toFixed(1)} s`);
  return stats;
}
