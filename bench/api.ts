/**
 * Parts 2 (remote side) and 5 — the built CLI with `--provider dashscope` against the fake
 * DashScope server running in its own process (bench/fakeServer.ts), counters read from it.
 *   2 — unchanged re-index sends 0 requests; one edited function → texts embedded = chunks changed.
 *   5 — API efficiency under a fixed requests/min + tokens/min limit: achieved rate as a fraction of
 *       the limit, requests vs ceil(unique chunks / 10), failed and duplicated chunks (embedCounts),
 *       for a client told the limits, a client not told (finds them from 429s), and with faults.
 *   node --import tsx bench/api.ts [--quick] [--out FILE]
 */
import fs from 'node:fs';
import path from 'node:path';
import { createEmbedder } from '../src/core/embedderFactory';
import type { ChunkInfo } from '../src/core/types';
import { committedChunks, editOneFunction, newHashes, openaiSources } from './corpora';
import { FakeServerProcess, type CountersSnapshot } from './fakeServer';
import { QUICK, check, cli, emit, fmt, info, listFiles, median, nowMs, rm, tempDir, type Row } from './util';

const KEY = 'sk-bench-not-a-real-key';
const RPM = 600;
const TPM = 3_000_000;

function fingerprintFor(root: string, url: string): string {
  return createEmbedder({ root, provider: 'dashscope', apiKey: KEY, remote: { baseUrl: url } }).fingerprint;
}

interface Delivery {
  unique: number;
  failed: number;
  duplicated: number;
  deliveries: number;
}

/** Index chunks vs what the server delivered: chunk.hash is sha256(embed text)[0..32]. */
function deliveries(chunks: readonly ChunkInfo[], c: CountersSnapshot): Delivery {
  const delivered = new Map<string, number>();
  for (const [h, n] of Object.entries(c.embedCounts)) delivered.set(h.slice(0, 32), (delivered.get(h.slice(0, 32)) ?? 0) + n);
  const unique = new Set(chunks.map((ch) => ch.hash));
  let failed = 0;
  for (const h of unique) if (!delivered.has(h)) failed++;
  let duplicated = 0, total = 0;
  for (const n of delivered.values()) {
    total += n;
    if (n > 1) duplicated += n - 1;
  }
  return { unique: unique.size, failed, duplicated, deliveries: total };
}

/**
 * Successful replies per minute in steady state: from one second after the first success (the
 * server's bucket is one second deep, so the first second may burst) to the last one.
 */
function achievedRpm(c: CountersSnapshot): number {
  const t = c.successTimes.filter((x) => x >= c.successTimes[0] + 1000);
  return t.length < 2 ? NaN : ((t.length - 1) / (t[t.length - 1] - t[0])) * 60_000;
}

async function main(): Promise<void> {
  const t0 = nowMs();
  const runs = QUICK ? 1 : 3;
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const base = tempDir('api');
  let server: FakeServerProcess | undefined;
  try {
    const corpus = openaiSources(base, { withoutResources: true });
    process.stderr.write(`  corpus ${corpus.name}: ${corpus.files} files, ${(corpus.bytes / 1e6).toFixed(2)} MB\n`);
    const files = listFiles(corpus.root);

    // ---------------- Part 2, remote: no rate limit on the server; the client paced generously.
    server = await FakeServerProcess.start();
    const env = { DASHSCOPE_API_KEY: KEY, DASHSCOPE_BASE_URL: server.url };
    const fp = { fingerprint: fingerprintFor(corpus.root, server.url) };
    const idx = path.join(base, 'idx-remote');
    const fast = ['--provider', 'dashscope', '--rpm', '60000', '--json'];
    const cold = await cli(['index', corpus.root, '--index-dir', idx, ...fast], env);
    if (!cold.json) throw new Error(`remote cold index failed: ${cold.stderr.slice(0, 400)}`);
    const c0 = await server.counters();
    const d0 = deliveries(committedChunks(idx, fp)!, c0);
    rows.push(info(2, `dashscope (fake server): cold index of ${corpus.files} files, ${d0.unique} unique chunks`,
      `${fmt.s(cold.ms / 1000)}, ${c0.requests} requests (${(c0.requests / Math.ceil(d0.unique / 10)).toFixed(3)}× ceil(unique/10)), failed ${d0.failed}, duplicated ${d0.duplicated}`));

    const unchangedMs: number[] = [];
    let unchangedRequests = 0;
    for (let i = 0; i < runs; i++) {
      await server.reset();
      const r = await cli(['index', corpus.root, '--index-dir', idx, ...fast], env);
      unchangedMs.push(r.ms);
      unchangedRequests += (await server.counters()).requests;
    }
    rows.push(check(2, `dashscope: API requests on unchanged re-index (${runs} runs; CLI ${fmt.ms(median(unchangedMs))} median)`, unchangedRequests, fmt.num, { max: 0, label: '0' }));

    const editMs: number[] = [];
    const editLog: unknown[] = [];
    let mismatch = 0;
    for (let i = 0; i < runs; i++) {
      const before = committedChunks(idx, fp)!;
      const edit = editOneFunction(corpus.root, files, 50 + i);
      await server.reset();
      const r = await cli(['index', corpus.root, '--index-dir', idx, ...fast], env);
      const c = await server.counters();
      const after = committedChunks(idx, fp)!;
      const changed = newHashes(before, after);
      // Exactly the changed chunks, each exactly once.
      const sent = Object.keys(c.embedCounts).map((h) => h.slice(0, 32));
      const exact = sent.length === changed.size && sent.every((h) => changed.has(h)) && Object.values(c.embedCounts).every((n) => n === 1);
      if (!exact) mismatch++;
      editMs.push(r.ms);
      editLog.push({ file: edit.path, fn: edit.fn, changed: changed.size, textsEmbedded: c.texts, requests: c.requests, ms: r.ms });
    }
    const e0 = editLog[0] as { changed: number; textsEmbedded: number; requests: number };
    rows.push(check(2, `dashscope: edit one function → texts embedded ≠ chunks changed (${runs} edits; e.g. ${e0.textsEmbedded} sent / ${e0.changed} changed, ${e0.requests} request)`, mismatch, fmt.num, { max: 0, label: '0 mismatches' }));
    rows.push(check(2, 'dashscope (fake server): edit one function → index updated (CLI whole process), median', median(editMs), fmt.ms, { max: 1500, label: '≤ 1.5 s' }));
    details.part2 = { cold: { ms: cold.ms, requests: c0.requests, ...d0 }, unchangedMs, editLog };
    await server.stop();
    server = undefined;

    // ---------------- Part 5: rate-limited server (separate process), fresh index each run, on
    // every other file of the corpus (~1,200 chunks ≈ 120 requests ≈ 12 s at 600 rpm per run).
    const half = path.join(base, 'half');
    files.forEach((f, i) => {
      if (i % 2) return;
      fs.mkdirSync(path.dirname(path.join(half, f)), { recursive: true });
      fs.copyFileSync(path.join(corpus.root, f), path.join(half, f));
    });
    const scenarios: { name: string; serverFlags: string[]; clientFlags: string[]; runs: number; target: boolean }[] = [
      { name: `client told the limits (--rpm ${RPM} --tpm ${TPM})`, serverFlags: [], clientFlags: ['--rpm', String(RPM), '--tpm', String(TPM)], runs, target: true },
      { name: 'client not told (defaults 3,000 rpm; finds the limit from 429s)', serverFlags: [], clientFlags: [], runs: 1, target: false },
      { name: 'client told the limits + faults (3% 500, 2% 503, 2% reset, 2% truncated JSON)', serverFlags: ['--fault', '500=0.03', '--fault', '503=0.02', '--fault', 'reset=0.02', '--fault', 'truncated=0.02', '--seed', '7'], clientFlags: ['--rpm', String(RPM), '--tpm', String(TPM)], runs: 1, target: false },
    ];
    const p5: unknown[] = [];
    for (const sc of scenarios) {
      if (QUICK && !sc.target) continue;
      const results: { fraction: number; ratio: number; failed: number; duplicated: number; throttled: number; requests: number; unique: number; ms: number; incomplete: boolean; tokensPerMin: number }[] = [];
      for (let i = 0; i < sc.runs; i++) {
        server = await FakeServerProcess.start(['--rpm', String(RPM), '--tpm', String(TPM), ...sc.serverFlags]);
        const idx5 = path.join(base, `idx-p5-${p5.length}-${i}`);
        const r = await cli(['index', half, '--index-dir', idx5, '--provider', 'dashscope', '--json', ...sc.clientFlags], { DASHSCOPE_API_KEY: KEY, DASHSCOPE_BASE_URL: server.url }, 900_000);
        const c = await server.counters();
        const chunks = committedChunks(idx5, { fingerprint: fingerprintFor(half, server.url) }) ?? [];
        const d = deliveries(chunks, c);
        const t = c.successTimes;
        results.push({
          fraction: achievedRpm(c) / RPM,
          tokensPerMin: t.length > 1 ? (c.tokens / ((t[t.length - 1] - t[0]) / 60_000)) : NaN,
          ratio: c.requests / Math.ceil(d.unique / 10),
          failed: d.failed + (r.json?.incomplete ? 1 : 0),
          duplicated: d.duplicated,
          throttled: c.byStatus['429'] ?? 0,
          requests: c.requests,
          unique: d.unique,
          ms: r.ms,
          incomplete: !!r.json?.incomplete || r.code !== 0,
        });
        await server.stop();
        server = undefined;
        rm(idx5);
      }
      const m = (k: keyof (typeof results)[number]) => median(results.map((x) => x[k] as number));
      const label = `${RPM} rpm / ${(TPM / 1e6).toFixed(0)}M tpm, ${sc.name}${sc.runs > 1 ? `, median of ${sc.runs}` : ''}`;
      const facts = `${m('requests')} requests for ${m('unique')} unique chunks, ${m('throttled')} × 429, ${fmt.s(m('ms') / 1000)} CLI`;
      if (sc.target) {
        rows.push(info(5, `${label}: achieved request rate / limit`, fmt.pct(m('fraction')), `${(m('tokensPerMin') / 1e3).toFixed(0)}k tokens/min; ${facts}`));
        rows.push(check(5, `${label}: requests / ceil(unique chunks / 10)`, m('ratio'), fmt.ratio, { max: 1.05, label: '≤ 1.05×' }));
      } else {
        rows.push(info(5, `${label}: rate / limit; requests / ceil(unique/10)`, `${fmt.pct(m('fraction'))}; ${fmt.ratio(m('ratio'))}`, facts));
      }
      rows.push(check(5, `${label}: failed + duplicated chunks (fake server's per-text delivery counts)`, m('failed') + m('duplicated'), fmt.num, { max: 0, label: '0' }));
      p5.push({ scenario: sc.name, results });
    }
    details.part5 = p5;
  } finally {
    await server?.stop();
    rm(base);
  }
  emit({ part: 5, title: 'Remote provider against the fake DashScope server', rows, details, seconds: (nowMs() - t0) / 1000 });
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
