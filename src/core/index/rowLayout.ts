/**
 * Where each row of a generation lives. Physical rows are numbered across the base vector file
 * (`data.vectors`) and then each appended segment (`data.segments`, in order) and never move
 * while the segments stand; a chunk row (its position in path order, what every reader calls a
 * row) maps to one physical row through `rows-<gen>.u32`. Physical rows no chunk or extra maps to
 * are tombstones, dropped by the next compaction (a full write, where row i = physical row i
 * again). Without segments the layout is the identity over the one file.
 */
import { IndexCorruptError, LITTLE_ENDIAN_HOST, readFileVerified, type FileRef } from './binio';
import type { Manifest } from './manifest';

export class RowLayout {
  /** Vector files in physical order: the base file, then the segments. */
  readonly files: readonly FileRef[];
  /** Physical row of each file's first row, plus the total at the end. */
  readonly firsts: readonly number[];

  private constructor(
    readonly dims: number,
    files: FileRef[],
    /** Physical row of every chunk row then every extra; undefined = identity. */
    readonly phys: Uint32Array | undefined,
  ) {
    this.files = files;
    const firsts = [0];
    for (const f of files) firsts.push(firsts[firsts.length - 1] + f.bytes / (dims * 4));
    this.firsts = firsts;
  }

  /** Reads (and fully verifies) the row map of a segmented generation; throws IndexCorruptError. */
  static of(dir: string, m: Manifest): RowLayout {
    const dims = m.fingerprint.dimensions;
    const files = [m.data.vectors, ...(m.data.segments ?? []).map((s) => s.vectors)];
    if (!m.data.rows) return new RowLayout(dims, files, undefined);
    const bytes = readFileVerified(dir, m.data.rows);
    const phys = LITTLE_ENDIAN_HOST && bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4) : decodeU32(bytes);
    const layout = new RowLayout(dims, files, phys);
    const total = layout.total;
    const seen = new Uint8Array(total);
    for (let i = 0; i < phys.length; i++) {
      const p = phys[i];
      if (p >= total) throw new IndexCorruptError(`${m.data.rows.name}: row ${i} points past the vector segments`);
      // Chunk rows own their physical row (keyword ids are physical rows); an extra may share one.
      if (i < m.chunkCount) {
        if (seen[p]) throw new IndexCorruptError(`${m.data.rows.name}: two chunk rows share physical row ${p}`);
        seen[p] = 1;
      }
    }
    return layout;
  }

  get total(): number {
    return this.firsts[this.firsts.length - 1];
  }

  get segmented(): boolean {
    return this.phys !== undefined;
  }

  /** Physical row of row `row` (chunk rows, then extras). */
  physical(row: number): number {
    return this.phys ? this.phys[row] : row;
  }

  /** File index and row within that file of physical row `p`. */
  locate(p: number): { file: number; row: number } {
    const f = this.firsts;
    let lo = 0, hi = this.files.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (f[mid] <= p) lo = mid;
      else hi = mid - 1;
    }
    return { file: lo, row: p - f[lo] };
  }

  /** Physical rows no chunk row or extra refers to (what compaction reclaims). */
  deadRows(): number {
    if (!this.phys) return 0;
    const used = new Uint8Array(this.total);
    let live = 0;
    for (const p of this.phys) if (!used[p]) {
      used[p] = 1;
      live++;
    }
    return this.total - live;
  }
}

export function encodeU32(values: Uint32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint32(4 * i, v, true));
  return out;
}

function decodeU32(bytes: Uint8Array): Uint32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = dv.getUint32(4 * i, true);
  return out;
}
