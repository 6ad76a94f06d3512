/**
 * Profiles part 2's 10k × 1024-d row in isolation: builds the tree, re-indexes it unchanged, then
 * edits one function and runs `runIndex({paths})` with the CPU profiler on around that call only.
 *   node --import tsx bench/profileUpdate.ts [--files 1000] [--out update.cpuprofile] [--runs 3]
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { runIndex } from '../src/core/index';
import { editOneFunction } from './corpora';
import { SyntheticEmbedder } from './embedders';
import { writeCodeTree } from './gen';
import { cpuMs, listFiles, nowMs, rm, tempDir } from './util';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

async function main(): Promise<void> {
  const base = tempDir('profupd');
  const root = path.join(base, 'ws');
  const indexDir = path.join(base, 'index');
  const embedder = new SyntheticEmbedder(1024);
  try {
    writeCodeTree(root, Number(arg('files', '1000')), 10, 7);
    await runIndex({ root, indexDir, embedder });
    await runIndex({ root, indexDir, embedder });
    const session = new inspector.Session();
    session.connect();
    const post = (method: string, params?: object) => new Promise<unknown>((res, rej) => session.post(method, params, (e, r) => (e ? rej(e) : res(r))));
    for (let i = 1; i <= Number(arg('runs', '3')); i++) {
      const edit = editOneFunction(root, listFiles(root).slice(0, 50), i);
      const last = i === Number(arg('runs', '3'));
      if (last) {
        await post('Profiler.enable');
        await post('Profiler.setSamplingInterval', { interval: 200 });
        await post('Profiler.start');
      }
      const t = nowMs(), c = cpuMs();
      const r = await runIndex({ root, indexDir, embedder }, { paths: [edit.path] });
      process.stdout.write(`update ${i}: ${(nowMs() - t).toFixed(0)} ms wall, ${(cpuMs() - c).toFixed(0)} ms CPU, ${r.embeddedChunks} embedded\n`);
      if (last) {
        const { profile } = (await post('Profiler.stop')) as { profile: unknown };
        fs.writeFileSync(arg('out', 'update.cpuprofile'), JSON.stringify(profile));
      }
    }
  } finally {
    rm(base);
  }
}

void main();
