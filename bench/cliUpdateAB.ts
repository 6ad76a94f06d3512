/**
 * A/B of the CLI's whole-process re-index after one edited file, in one run: ~60 MB of
 * `/usr/include` indexed once (offline provider) by B's CLI, the index copied, then the same
 * edited header re-indexed by A's bundled CLI (e.g. /work/main/dist/cli.js: vector file verified
 * and rewritten) and by B's (an appended segment). Wall, CPU (GNU time) and load average.
 *   node --import tsx bench/cliUpdateAB.ts --a /work/main/dist/cli.js --b dist/cli.js [--mb 60]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, check, emit, fmt, info, listFiles, median, rm, run, tempDir, type Row } from './util';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

async function index(cli: string, root: string, dir: string) {
  const r = await run(process.execPath, [cli, 'index', root, '--index-dir', dir, '--json', '--provider', 'offline'], { timeoutMs: 1_800_000 });
  if (r.code !== 0) throw new Error(`${cli} index exited ${r.code}: ${r.stderr.slice(-800)}`);
  return r;
}

async function main(): Promise<void> {
  const a = path.resolve(arg('a') ?? '/work/main/dist/cli.js'), b = path.resolve(arg('b') ?? path.join(REPO, 'dist/cli.js'));
  const want = Number(arg('mb') ?? 60) * 1e6;
  const base = tempDir('cli-update-ab');
  const root = path.join(base, 'ws');
  try {
    let bytes = 0;
    for (const rel of listFiles('/usr/include')) {
      if (bytes >= want) break;
      const to = path.join(root, rel);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(path.join('/usr/include', rel), to);
      bytes += fs.statSync(to).size;
    }
    const built = path.join(base, 'built');
    process.stderr.write(`  [cli update A/B] indexing ${(bytes / 1e6).toFixed(0)} MB with B…\n`);
    const b0 = await index(b, root, built);
    const headers = listFiles(root).filter((r) => r.endsWith('.h') && fs.statSync(path.join(root, r)).size > 4000);
    const res: Record<string, { ms: number; cpuMs: number }[]> = { A: [], B: [] };
    for (const label of ['A', 'B'] as const) {
      const dir = path.join(base, `index-${label}`);
      fs.cpSync(built, dir, { recursive: true });
      for (let k = 0; k < 3; k++) {
        const abs = path.join(root, headers[k]);
        fs.appendFileSync(abs, `\nextern int sw_ab_edit_${label}${k}(void);\n`);
        const r = await index(label === 'A' ? a : b, root, dir);
        res[label].push({ ms: r.ms, cpuMs: r.cpuMs ?? NaN });
      }
    }
    const cpu = (l: string) => median(res[l].map((x) => x.cpuMs));
    const wall = (l: string) => median(res[l].map((x) => x.ms));
    const rows: Row[] = [
      info(11, `${(bytes / 1e6).toFixed(0)} MB of /usr/include: cold index (B) ${fmt.s(b0.ms / 1000)} wall, ${fmt.s((b0.cpuMs ?? NaN) / 1000)} CPU`, `load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`),
      info(11, `one edited file → CLI whole-process re-index, CPU median of 3 — A (${a}) → B (${b})`, `${fmt.ms(cpu('A'))} → ${fmt.ms(cpu('B'))} (${fmt.ratio(cpu('B') / cpu('A'))})`),
      check(11, `one edited file → CLI whole-process re-index, B, wall median of 3 (A ${fmt.ms(wall('A'))}; CPU ${fmt.ms(cpu('B'))})`, wall('B'), fmt.ms, { max: 1500, label: '≤ 1.5 s' }),
    ];
    emit({ part: 11, title: 'CLI re-index after one edit, A/B', rows, details: res, seconds: 0 });
  } finally {
    rm(base);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
