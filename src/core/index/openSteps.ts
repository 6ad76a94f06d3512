/**
 * The reads of opening a generation (open.ts) as steps (slices.ts): each step reads or hashes
 * one 1 MiB block or decodes a few thousand rows, so a host can open the next generation in
 * slices between searches. The store's one-call readers (`loadMeta`, `readVectors`,
 * `checkVectors`) run the same steps to the end (`runSteps`): one implementation of what is
 * checked — every block of the small files, length and sampled blocks of the vector files.
 */
import fs from 'node:fs';
import { BIG_BYTES, bigBytes } from '../bigMemory';
import type { ChunkInfo } from '../types';
import { BLOCK_SIZE, IndexCorruptError, LITTLE_ENDIAN_HOST, blockHash, checkedBlocks, openChecked, readFully, swapFloat32, type FileRef } from './binio';
import { decodeChunkTableSteps } from './chunkTable';
import type { Manifest } from './manifest';
import type { RowLayout } from './rowLayout';
import { inRowOrderSteps } from './segments';
import type { Steps } from '../slices';

/** Reads `ref` into `target` (exactly ref.bytes long) block by block, hashing the checked blocks. */
function* readIntoSteps(dir: string, ref: FileRef, target: Uint8Array, all: boolean): Steps<void> {
  const check = checkedBlocks(ref, all);
  const fd = openChecked(dir, ref);
  try {
    for (let b = 0; b * BLOCK_SIZE < ref.bytes; b++) {
      const block = target.subarray(b * BLOCK_SIZE, Math.min(ref.bytes, (b + 1) * BLOCK_SIZE));
      readFully(fd, block, block.length, b * BLOCK_SIZE, ref.name);
      if (check.has(b) && blockHash(block) !== ref.blocks[b]) throw new IndexCorruptError(`${ref.name}: checksum mismatch in block ${b}`);
      yield;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** `readFileVerified` in steps: the whole file, every block checked. */
export function* readFileVerifiedSteps(dir: string, ref: FileRef): Steps<Uint8Array> {
  const out = bigBytes(ref.bytes);
  yield* readIntoSteps(dir, ref, out, true);
  return out;
}

export interface MetaRead {
  readonly chunks: ChunkInfo[];
  readonly chunkTable: Uint8Array;
  readonly keyword?: Uint8Array;
  readonly model?: Uint8Array;
}

/** What `IndexStore.loadMeta(m, false, withKeyword)` reads and checks (the prefix file is the caller's), in steps. */
export function* loadMetaSteps(dir: string, m: Manifest, withKeyword: boolean): Steps<MetaRead> {
  const d = m.data;
  const chunkTable = yield* readFileVerifiedSteps(dir, d.chunks);
  const chunks = yield* decodeChunkTableSteps(chunkTable);
  if (chunks.length !== m.chunkCount) throw new IndexCorruptError('chunk table and manifest disagree on the chunk count');
  let row = 0;
  for (let i = 0; i < m.files.paths.length; i++) {
    const p = m.files.paths[i];
    for (let k = 0; k < m.files.counts[i]; k++, row++) {
      if (chunks[row].path !== p) throw new IndexCorruptError(`chunk ${row} does not belong to ${p}`);
    }
    if ((i & 255) === 255) yield;
  }
  const keyword = d.keyword && withKeyword ? yield* readFileVerifiedSteps(dir, d.keyword) : undefined;
  const model = d.model ? yield* readFileVerifiedSteps(dir, d.model) : undefined;
  return { chunks, chunkTable, keyword, model };
}

/** One vector file's floats, checked as `IndexStore.readVectors` checks it (length + sampled blocks; every block with `full`). */
export function* vectorFileSteps(dir: string, ref: FileRef, full: boolean): Steps<Float32Array> {
  // No zero-fill of memory overwritten at once (allocUnsafe, as the store's reader: ~100 ms at 400 MB in one call).
  const buf = ref.bytes >= BIG_BYTES ? bigBytes(ref.bytes) : ref.bytes >= 4096 ? Buffer.allocUnsafe(ref.bytes) : Buffer.alloc(ref.bytes);
  const vectors = buf.byteOffset % 4 === 0 ? new Float32Array(buf.buffer, buf.byteOffset, ref.bytes / 4) : new Float32Array(ref.bytes / 4);
  const raw = new Uint8Array(vectors.buffer, vectors.byteOffset, ref.bytes);
  yield* readIntoSteps(dir, ref, raw, full);
  if (!LITTLE_ENDIAN_HOST) swapFloat32(raw);
  return vectors;
}

/** The chunk rows of generation `m` in row order (what `readVectors(m).subarray(0, chunkRows)` holds), in steps. */
export function* readVectorsSteps(dir: string, m: Manifest, layout: RowLayout, full: boolean): Steps<Float32Array> {
  const dims = m.fingerprint.dimensions;
  if (!layout.segmented) return (yield* vectorFileSteps(dir, m.data.vectors, full)).subarray(0, m.chunkCount * dims);
  const parts: Float32Array[] = [];
  for (const ref of layout.files) parts.push(yield* vectorFileSteps(dir, ref, full));
  return yield* inRowOrderSteps(layout, parts, m.chunkCount);
}

/** What `IndexStore.checkVectors` checks (each vector file's length and sampled blocks) without reading the rest, in steps. */
export function* checkVectorsSteps(dir: string, m: Manifest): Steps<void> {
  const block = new Uint8Array(BLOCK_SIZE);
  for (const ref of [m.data.vectors, ...(m.data.segments ?? []).map((s) => s.vectors)]) {
    const check = checkedBlocks(ref, false);
    const fd = openChecked(dir, ref);
    try {
      for (const b of check) {
        const n = Math.min(BLOCK_SIZE, ref.bytes - b * BLOCK_SIZE);
        readFully(fd, block, n, b * BLOCK_SIZE, ref.name);
        if (blockHash(block.subarray(0, n)) !== ref.blocks[b]) throw new IndexCorruptError(`${ref.name}: checksum mismatch in block ${b}`);
        yield;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}
