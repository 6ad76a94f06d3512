/**
 * Part 13 — a search when the embedding endpoint is down (issue #13 "search never hangs"): the
 * built CLI with `--provider dashscope` over an index built against the fake server, then
 *   - the server stopped (connection refused),
 *   - a server that accepts connections and never answers (the worst case: every attempt times out),
 * against a healthy search as the baseline. Whole-process wall seconds (median of N), the answer's
 * `degraded` marker and exit code. Before the query budget the stopped-server search took 1 min 51 s
 * and failed (issue #13); the budget is 5 s including one retry.
 *   node --import tsx bench/degraded.ts [--quick] [--out FILE]
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { FakeServerProcess } from './fakeServer';
import { QUICK, check, cli, emit, fmt, info, median, nowMs, rm, tempDir, type Row } from './util';

const KEY = 'sk-bench-not-a-real-key';
const PART = 13;

function corpus(): string {
  const root = tempDir('sw-bench-degraded-');
  for (let i = 0; i < 30; i++) {
    fs.mkdirSync(path.join(root, 'src'), { recursive: true });
    fs.writeFileSync(path.join(root, 'src', `mod${i}.ts`), `/** Module ${i}: retries with backoff for request ${i}. */\nexport function handle${i}(x: number): number {\n  return x * ${i} + 1;\n}\n`);
  }
  fs.writeFileSync(path.join(root, 'README.md'), '# Token bucket\n\nThe rate limiter refills tokens every second.\n');
  return root;
}

/** A TCP server that accepts and never writes a byte. */
async function blackHole(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

async function main(): Promise<void> {
  const t0 = nowMs();
  const runs = QUICK ? 2 : 5;
  const root = corpus();
  const indexDir = path.join(tempDir('sw-bench-degraded-idx-'), 'idx');
  const fake = await FakeServerProcess.start();
  const env = (url: string) => ({ DASHSCOPE_BASE_URL: url, DASHSCOPE_API_KEY: KEY, XDG_CACHE_HOME: tempDir('sw-bench-cache-') });
  const base = ['--provider', 'dashscope', '--index-dir', indexDir, '--json'];
  const indexed = await cli(['index', root, ...base], env(fake.url));
  if (indexed.code !== 0) throw new Error(`index failed: ${indexed.stderr}`);

  const search = async (url: string) => {
    const ms: number[] = [];
    const cpu: number[] = [];
    let degraded: unknown, code: number | null = null, results = 0;
    for (let i = 0; i < runs; i++) {
      const r = await cli(['search', root, `token bucket refill ${i}`, ...base], env(url), 120_000);
      ms.push(r.ms);
      if (r.cpuMs !== undefined) cpu.push(r.cpuMs);
      degraded = r.json?.degraded;
      code = r.code;
      results = Array.isArray(r.json?.results) ? (r.json!.results as unknown[]).length : 0;
    }
    return { s: median(ms) / 1000, cpuS: cpu.length ? median(cpu) / 1000 : NaN, degraded, code, results };
  };

  const healthy = await search(fake.url);
  const fakeUrl = fake.url;
  await fake.stop();
  const stopped = await search(fakeUrl); // connection refused
  const hole = await blackHole();
  const silent = await search(hole.url);
  await hole.close();

  const load = os.loadavg()[0].toFixed(2);
  const rows: Row[] = [
    info(PART, 'search, endpoint healthy (baseline): wall / CPU, median', `${fmt.s(healthy.s)} / ${fmt.s(healthy.cpuS)}`, `exit ${healthy.code}, ${healthy.results} results, load ${load}`),
    check(PART, 'search, endpoint stopped (refused): wall, median', stopped.s, fmt.s, { max: 6, label: '≤ 6 s (5 s budget + process start)' }),
    info(PART, 'search, endpoint stopped: answer', `degraded=${String(stopped.degraded)}, exit ${stopped.code}, ${stopped.results} results`, `CPU ${fmt.s(stopped.cpuS)}`),
    check(PART, 'search, endpoint never answers: wall, median', silent.s, fmt.s, { max: 6, label: '≤ 6 s (5 s budget + process start)' }),
    info(PART, 'search, endpoint never answers: answer', `degraded=${String(silent.degraded)}, exit ${silent.code}, ${silent.results} results`, `CPU ${fmt.s(silent.cpuS)}; before the budget: 1 min 51 s and an error (issue #13)`),
  ];
  rm(root);
  emit({ part: PART, title: 'search with the embedding endpoint down', rows, seconds: (nowMs() - t0) / 1000, details: { healthy, stopped, silent, runs } });
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
