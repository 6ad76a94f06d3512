/**
 * Real corpora taken from installed npm packages (no download): copied into a work folder because
 * the indexer never walks node_modules.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IndexStore } from '../src/core/index/store';
import type { ChunkInfo, Embedder } from '../src/core/types';
import { REPO, copyTree } from './util';

export interface Corpus {
  readonly name: string;
  readonly root: string;
  readonly files: number;
  readonly bytes: number;
}

/** The TypeScript sources of the `openai` package (a dependency: always installed). */
export function openaiSources(dst: string, options: { withoutResources?: boolean } = {}): Corpus {
  const src = path.join(REPO, 'node_modules', 'openai', 'src');
  if (!fs.existsSync(src)) throw new Error('node_modules/openai/src is missing: run npm ci');
  const root = path.join(dst, options.withoutResources ? 'openai-core' : 'openai-src');
  const { files, bytes } = copyTree(src, root, (rel) =>
    /\.(ts|mts)$/.test(rel) && !/\.d\.(ts|mts)$/.test(rel) && !(options.withoutResources && rel.startsWith('resources/')));
  const version = (JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', 'openai', 'package.json'), 'utf8')) as { version: string }).version;
  return { name: `openai@${version} src/${options.withoutResources ? ' without resources/' : ''} (*.ts)`, root, files, bytes };
}

/** Chunk rows of the committed index of `embedder` in `indexDir` (undefined when there is none). */
export function committedChunks(indexDir: string, embedder: Pick<Embedder, 'fingerprint'>): ChunkInfo[] | undefined {
  const store = new IndexStore(indexDir);
  const read = store.readManifest(embedder.fingerprint);
  if (read.status !== 'ok') return undefined;
  return store.loadMeta(read.manifest).chunks;
}

/** Chunks present in `after` whose content hash is not in `before` (what must be embedded). */
export function newHashes(before: readonly ChunkInfo[], after: readonly ChunkInfo[]): Set<string> {
  const old = new Set(before.map((c) => c.hash));
  return new Set(after.filter((c) => !old.has(c.hash)).map((c) => c.hash));
}

/**
 * Edits one function in one file: a statement is added at the top of the body of the first
 * top-level function (a line `function name(…) {`) found in the sorted file list. Returns the path.
 */
export function editOneFunction(root: string, files: readonly string[], serial: number): { path: string; fn: string } {
  for (const rel of files) {
    const abs = path.join(root, rel);
    const lines = fs.readFileSync(abs, 'utf8').split('\n');
    const at = lines.findIndex((l) => /^(export )?(async )?function\s+\w+.*\{\s*$/.test(l));
    if (at < 0) continue;
    const fn = /function\s+(\w+)/.exec(lines[at])![1];
    const marker = `  const benchEdit${fn} = ${serial}; // edited by the benchmark`;
    if (lines[at + 1]?.includes('edited by the benchmark')) lines[at + 1] = marker;
    else lines.splice(at + 1, 0, marker);
    fs.writeFileSync(abs, lines.join('\n'));
    // mtime resolution can be coarse: move it visibly.
    const t = new Date(Date.now() + 1000 * (serial + 1));
    fs.utimesSync(abs, t, t);
    return { path: rel, fn };
  }
  throw new Error('no top-level function found to edit');
}
