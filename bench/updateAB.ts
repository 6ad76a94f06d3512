/**
 * A/B of a live update in one run: one index is built (n chunks × dims, synthetic embedder, or
 * the offline provider), copied, and the same one-function edit is applied by two source trees —
 * `--a <repo>` (e.g. /work/main: rows in path order, everything rewritten) and `--b <repo>`
 * (this tree: an appended segment) — each in its own fresh process: the watcher's
 * `runIndex({paths})`, then a whole-tree `runIndex` after a second edit (what the CLI does).
 * Wall and CPU per step; CPU is the figure that survives a loaded machine.
 *   node --import tsx bench/updateAB.ts --a /work/main --b . [--chunks 100000] [--dims 1024 | --offline]
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, check, cpuMs, emit, fmt, info, listFiles, nowMs, rm, run, tempDir, type Row } from './util';
import { writeCodeTree } from './gen';
import { editOneFunction } from './corpora';

const FNS_PER_FILE = 10;
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

async function embedderFrom(repo: string, root: string, dims: number, offline: boolean): Promise<unknown> {
  if (offline) {
    const m = (await import(pathToFileURL(path.join(repo, 'src/core/embedding/offline.ts')).href)) as { OfflineEmbedder: new (o?: unknown) => unknown };
    return new m.OfflineEmbedder();
  }
  const m = (await import(pathToFileURL(path.join(repo, 'bench/embedders.ts')).href)) as { SyntheticEmbedder: new (d: number) => unknown };
  void root;
  return new m.SyntheticEmbedder(dims);
}

type RunIndex = (p: Record<string, unknown>, o?: Record<string, unknown>) => Promise<{ embeddedChunks: number; chunks: number }>;

/** Child: build (`--repo` = b), or update with `--repo`'s code. Prints one JSON line. */
async function childMain(cmd: string): Promise<void> {
  const repo = path.resolve(arg('repo')!);
  const root = arg('root')!, indexDir = arg('index')!;
  const dims = Number(arg('dims') ?? 1024), offline = process.argv.includes('--offline');
  const { runIndex } = (await import(pathToFileURL(path.join(repo, 'src/core/index/index.ts')).href)) as { runIndex: RunIndex };
  const embedder = await embedderFrom(repo, root, dims, offline);
  if (cmd === 'build') {
    const c = cpuMs(), t = nowMs();
    const r = await runIndex({ root, indexDir, embedder });
    process.stdout.write(JSON.stringify({ ms: nowMs() - t, cpuMs: cpuMs() - c, chunks: r.chunks }) + '\n');
    return;
  }
  const edit = arg('edit')!;
  // Warm the code paths once (nothing changed), as a long-running extension host would be.
  await runIndex({ root, indexDir, embedder }, { paths: [edit] });
  const serial = Number(arg('serial'));
  editOneFunction(root, [edit], serial);
  let c = cpuMs(), t = nowMs();
  const r = await runIndex({ root, indexDir, embedder }, { paths: [edit] });
  const paths = { ms: nowMs() - t, cpuMs: cpuMs() - c, embedded: r.embeddedChunks };
  editOneFunction(root, [edit], serial + 1);
  c = cpuMs();
  t = nowMs();
  const w = await runIndex({ root, indexDir, embedder });
  const whole = { ms: nowMs() - t, cpuMs: cpuMs() - c, embedded: w.embeddedChunks };
  process.stdout.write(JSON.stringify({ paths, whole }) + '\n');
}

async function child(args: string[]): Promise<Record<string, unknown>> {
  const r = await run(process.execPath, ['--import', 'tsx', path.join(REPO, 'bench', 'updateAB.ts'), ...args], { timeoutMs: 1_800_000, measure: false });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.code !== 0 || !line) throw new Error(`updateAB ${args[0]} failed (${r.code}): ${r.stderr.slice(-1500)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

async function driver(): Promise<void> {
  const a = path.resolve(arg('a') ?? '/work/main'), b = path.resolve(arg('b') ?? REPO);
  const n = Number(arg('chunks') ?? 100_000);
  const offline = process.argv.includes('--offline');
  const dims = Number(arg('dims') ?? 1024);
  const kind = offline ? `${n / 1000}k offline chunks` : `${n / 1000}k × ${dims}-d`;
  const base = tempDir('update-ab');
  const root = path.join(base, 'ws');
  const flags = ['--dims', String(dims), ...(offline ? ['--offline'] : [])];
  try {
    writeCodeTree(root, n / FNS_PER_FILE, FNS_PER_FILE, 7);
    const built = path.join(base, 'built');
    process.stderr.write(`  [update A/B ${kind}] building…\n`);
    const bl = await child(['build', '--repo', b, '--root', root, '--index', built, ...flags]);
    const edit = listFiles(root).slice(0, 50).find((f) => f.endsWith('.ts'))!;
    const rows: Row[] = [];
    const res: Record<string, Record<string, { ms: number; cpuMs: number; embedded: number }>> = {};
    for (const [label, repo, serial] of [['A', a, 1], ['B', b, 3]] as const) {
      const dir = path.join(base, `index-${label}`);
      fs.cpSync(built, dir, { recursive: true });
      process.stderr.write(`  [update A/B ${kind}] updating with ${label} (${repo})…\n`);
      res[label] = (await child(['update', '--repo', repo, '--root', root, '--index', dir, '--edit', edit, '--serial', String(serial), ...flags])) as typeof res[string];
    }
    const limit = offline || n > 10_000 ? 1000 : 200;
    const A = res.A, B = res.B;
    rows.push(info(2, `${kind}: build (B) ${fmt.s((bl.ms as number) / 1000)} wall, ${fmt.s((bl.cpuMs as number) / 1000)} CPU`, `${bl.chunks} chunks`));
    rows.push(info(2, `${kind}: one edited function, runIndex({paths}) CPU — A (${a}) → B (${b})`, `${fmt.ms(A.paths.cpuMs)} → ${fmt.ms(B.paths.cpuMs)} (${fmt.ratio(B.paths.cpuMs / A.paths.cpuMs)})`));
    rows.push(check(2, `${kind}: one edited function → index updated via runIndex({paths}), B, wall (CPU ${fmt.ms(B.paths.cpuMs)})`, B.paths.ms, fmt.ms, { max: limit, label: `≤ ${limit} ms` }));
    rows.push(info(2, `${kind}: one edited function, whole-tree runIndex CPU — A → B`, `${fmt.ms(A.whole.cpuMs)} → ${fmt.ms(B.whole.cpuMs)} (${fmt.ratio(B.whole.cpuMs / A.whole.cpuMs)})`));
    rows.push(info(2, `${kind}: wall A → B, paths / whole tree`, `${fmt.ms(A.paths.ms)} → ${fmt.ms(B.paths.ms)} / ${fmt.ms(A.whole.ms)} → ${fmt.ms(B.whole.ms)}`));
    emit({ part: 2, title: `Live update A/B (${kind})`, rows, details: { build: bl, A, B, a, b }, seconds: 0 });
  } finally {
    rm(base);
  }
}

const cmd = process.argv[2];
(cmd === 'build' || cmd === 'update' ? childMain(cmd) : driver()).catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
