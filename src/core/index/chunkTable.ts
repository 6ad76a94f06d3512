/**
 * The per-chunk metadata as a compact binary table (`chunks-<gen>.bin`).
 *
 * JSON would cost ~250 bytes per chunk and ~100 ms to parse at 100k chunks; this table costs
 * ~24 bytes + the hash per chunk, and paths, languages and symbols are stored once each in a
 * string table (most chunks share their path and language with their neighbours).
 *
 * Layout (little-endian):
 *   magic "SWCT" | u32 version | u32 chunkCount | u32 hashBytes (0 = hashes are strings)
 *   | u32 stringBytes | UTF-8 strings joined by "\0" (stringBytes bytes, padded to 4)
 *   | chunkCount rows of: u32 path, u32 startLine, u32 endLine, u32 tokens, u32 symbol,
 *     u16 language, u8 kind (0 code, 1 doc), u8 reserved, then either hashBytes raw bytes or
 *     u32 string id of the hash (padded to 4).
 *   Version 2 (written only when some chunk has a column span) appends u32 n and n triples
 *   u32 row, u32 startColumn, u32 endColumn (rows ascending). Version 1 is still read.
 */
import type { ChunkInfo, ChunkKind } from '../types';
import { IndexCorruptError } from './binio';
import { runSteps, type Steps } from '../slices';

const MAGIC = 0x54435753; // "SWCT" read as little-endian u32
const VERSION = 1;
const VERSION_COLUMNS = 2;
const HEADER = 20;

class StringTable {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();
  id(s: string): number {
    // "\0" separates the strings; it never occurs in paths and is meaningless in symbols.
    const clean = s.includes('\0') ? s.replace(/\0/g, ' ') : s;
    let id = this.ids.get(clean);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(clean);
      this.ids.set(clean, id);
    }
    return id;
  }
}

/** Hashes are stored as raw bytes when every one is lower-case hex of the same even length. */
function uniformHexBytes(chunks: readonly ChunkInfo[]): number {
  if (chunks.length === 0) return 0;
  const len = chunks[0].hash.length;
  if (len === 0 || len % 2 !== 0 || len > 128) return 0;
  // A char loop, not a regex per hash: this runs over every chunk on every commit.
  for (const c of chunks) {
    const h = c.hash;
    if (h.length !== len) return 0;
    for (let i = 0; i < len; i++) {
      const ch = h.charCodeAt(i);
      if (!((ch >= 48 && ch <= 57) || (ch >= 97 && ch <= 102))) return 0;
    }
  }
  return len / 2;
}

export function encodeChunkTable(chunks: readonly ChunkInfo[]): Uint8Array {
  const strings = new StringTable();
  // Languages are interned first so their ids fit the row's u16 field whatever the corpus.
  for (const c of chunks) strings.id(c.language);
  const hashBytes = uniformHexBytes(chunks);
  const rowBytes = 24 + (hashBytes ? (hashBytes + 3) & ~3 : 4);
  const rows = new Uint8Array(chunks.length * rowBytes);
  const dv = new DataView(rows.buffer);
  chunks.forEach((c, i) => {
    const o = i * rowBytes;
    dv.setUint32(o, strings.id(c.path), true);
    dv.setUint32(o + 4, c.startLine, true);
    dv.setUint32(o + 8, c.endLine, true);
    dv.setUint32(o + 12, c.tokens, true);
    dv.setUint32(o + 16, strings.id(c.symbol), true);
    dv.setUint16(o + 20, strings.id(c.language), true);
    dv.setUint8(o + 22, c.kind === 'doc' ? 1 : 0);
    if (hashBytes) rows.set(Buffer.from(c.hash, 'hex'), o + 24);
    else dv.setUint32(o + 24, strings.id(c.hash), true);
  });
  const spans: number[] = [];
  chunks.forEach((c, i) => {
    if (c.startColumn !== undefined && c.endColumn !== undefined) spans.push(i, c.startColumn, c.endColumn);
  });
  const str = Buffer.from(strings.list.join('\0'), 'utf8');
  const strPadded = (str.length + 3) & ~3;
  const tail = spans.length ? 4 + spans.length * 4 : 0;
  const out = new Uint8Array(HEADER + strPadded + rows.length + tail);
  const hv = new DataView(out.buffer);
  hv.setUint32(0, MAGIC, true);
  hv.setUint32(4, spans.length ? VERSION_COLUMNS : VERSION, true);
  if (spans.length) {
    let o = HEADER + strPadded + rows.length;
    hv.setUint32(o, spans.length / 3, true);
    for (const v of spans) hv.setUint32((o += 4), v, true);
  }
  hv.setUint32(8, chunks.length, true);
  hv.setUint32(12, hashBytes, true);
  hv.setUint32(16, str.length, true);
  out.set(str, HEADER);
  out.set(rows, HEADER + strPadded);
  return out;
}

/**
 * Hex of every row's hash: the raw hashes gathered into one buffer, hex-encoded by one native
 * call, then sliced per row (V8 slices share the big string: no per-hash concatenation, which
 * cost ~0.15 s at 100k rows).
 */
function* hexReader(bytes: Uint8Array, first: number, rowBytes: number, count: number, n: number): Steps<(row: number) => string> {
  const packed = Buffer.allocUnsafe(count * n);
  for (let i = 0, o = first, at = 0; i < count; i++, o += rowBytes) {
    for (let k = 0; k < n; k++) packed[at++] = bytes[o + k];
    if ((i & (STEP_ROWS - 1)) === STEP_ROWS - 1) yield;
  }
  const hex = packed.toString('hex');
  return (row) => hex.slice(row * 2 * n, (row + 1) * 2 * n);
}

/** Rows decoded between two yields of `decodeChunkTableSteps` (~1-2 ms). */
const STEP_ROWS = 4096;

export function decodeChunkTable(bytes: Uint8Array): ChunkInfo[] {
  return runSteps(decodeChunkTableSteps(bytes));
}

/** `decodeChunkTable` in steps of a few thousand rows (slices.ts): a host decodes the next generation's table between searches. */
export function* decodeChunkTableSteps(bytes: Uint8Array): Steps<ChunkInfo[]> {
  const bad = (why: string) => new IndexCorruptError(`chunk table: ${why}`);
  if (bytes.length < HEADER) throw bad('truncated header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (dv.getUint32(0, true) !== MAGIC || (version !== VERSION && version !== VERSION_COLUMNS)) throw bad('bad magic or version');
  const count = dv.getUint32(8, true);
  const hashBytes = dv.getUint32(12, true);
  const strLen = dv.getUint32(16, true);
  const strPadded = (strLen + 3) & ~3;
  const rowBytes = 24 + (hashBytes ? (hashBytes + 3) & ~3 : 4);
  const rowsEnd = HEADER + strPadded + count * rowBytes;
  const spanCount = version === VERSION_COLUMNS && bytes.length >= rowsEnd + 4 ? dv.getUint32(rowsEnd, true) : 0;
  if (bytes.length !== rowsEnd + (version === VERSION_COLUMNS ? 4 + spanCount * 12 : 0)) throw bad('length does not match its header');
  const strings = Buffer.from(bytes.buffer, bytes.byteOffset + HEADER, strLen).toString('utf8').split('\0');
  const str = (id: number): string => {
    const s = strings[id];
    if (s === undefined) throw bad(`string id ${id} out of range`);
    return s;
  };
  const out: ChunkInfo[] = new Array(count);
  const base = HEADER + strPadded;
  const hashAt = hashBytes ? yield* hexReader(bytes, base + 24, rowBytes, count, hashBytes) : undefined;
  for (let i = 0; i < count; i++) {
    if ((i & (STEP_ROWS - 1)) === STEP_ROWS - 1) yield;
    const o = base + i * rowBytes;
    const kind: ChunkKind = bytes[o + 22] === 1 ? 'doc' : 'code';
    out[i] = {
      path: str(dv.getUint32(o, true)),
      startLine: dv.getUint32(o + 4, true),
      endLine: dv.getUint32(o + 8, true),
      kind,
      language: str(dv.getUint16(o + 20, true)),
      symbol: str(dv.getUint32(o + 16, true)),
      hash: hashAt ? hashAt(i) : str(dv.getUint32(o + 24, true)),
      tokens: dv.getUint32(o + 12, true),
    };
  }
  for (let k = 0, o = rowsEnd + 4; k < spanCount; k++, o += 12) {
    const row = dv.getUint32(o, true), startColumn = dv.getUint32(o + 4, true), endColumn = dv.getUint32(o + 8, true);
    const c = out[row];
    if (!c || startColumn < 1 || endColumn < startColumn || c.startLine !== c.endLine) throw bad(`bad column span of row ${row}`);
    out[row] = { ...c, startColumn, endColumn };
  }
  return out;
}

/**
 * A live update's table from the previous one (`old`, verified): rows of unchanged chunks are
 * copied byte for byte (their string ids stay valid: the old strings are kept, in order), rows
 * of `added` chunks are encoded with their strings appended (duplicates of old strings are
 * allowed; a compaction writes a clean table). Decodes to exactly what `encodeChunkTable(chunks)`
 * decodes to. Returns undefined when it cannot patch (string hashes, another hash width, too
 * many languages): then the caller encodes the whole table.
 */
export function patchChunkTable(old: Uint8Array, chunks: readonly ChunkInfo[], source: readonly number[], added: ReadonlySet<number>): Uint8Array | undefined {
  const dv = new DataView(old.buffer, old.byteOffset, old.byteLength);
  const hashBytes = dv.getUint32(12, true), strLen = dv.getUint32(16, true), oldCount = dv.getUint32(8, true);
  if (hashBytes === 0) return undefined;
  const strPadded = (strLen + 3) & ~3;
  const rowBytes = 24 + ((hashBytes + 3) & ~3);
  const oldRows = HEADER + strPadded;
  let nOld = 1;
  for (let i = HEADER; i < HEADER + strLen; i++) if (old[i] === 0) nOld++;
  const fresh: string[] = [];
  const ids = new Map<string, number>();
  const id = (s: string): number => {
    const clean = s.includes('\0') ? s.replace(/\0/g, ' ') : s;
    let v = ids.get(clean);
    if (v === undefined) {
      v = nOld + fresh.length;
      fresh.push(clean);
      ids.set(clean, v);
    }
    return v;
  };
  // Languages were interned first (ids fit the u16 field): the first strings of the old table.
  let maxLang = 0;
  for (let r = 0; r < oldCount; r++) maxLang = Math.max(maxLang, dv.getUint16(oldRows + r * rowBytes + 20, true));
  const languages = new Map<string, number>();
  for (let k = 0, at = HEADER, end = HEADER + strLen; k <= maxLang && at <= end; k++) {
    let e = old.indexOf(0, at);
    if (e < 0 || e > end) e = end;
    languages.set(Buffer.from(old.buffer, old.byteOffset + at, e - at).toString('utf8'), k);
    at = e + 1;
  }
  const rows = new Uint8Array(chunks.length * rowBytes);
  const rv = new DataView(rows.buffer);
  for (let i = 0; i < chunks.length; i++) {
    const o = i * rowBytes;
    if (!added.has(i)) {
      const from = source[i];
      if (!(from >= 0 && from < oldCount)) return undefined;
      rows.set(old.subarray(oldRows + from * rowBytes, oldRows + (from + 1) * rowBytes), o);
      continue;
    }
    const c = chunks[i];
    if (c.hash.length !== 2 * hashBytes || !/^[0-9a-f]*$/.test(c.hash)) return undefined;
    const language = languages.get(c.language) ?? id(c.language);
    if (language > 0xffff) return undefined;
    rv.setUint32(o, id(c.path), true);
    rv.setUint32(o + 4, c.startLine, true);
    rv.setUint32(o + 8, c.endLine, true);
    rv.setUint32(o + 12, c.tokens, true);
    rv.setUint32(o + 16, id(c.symbol), true);
    rv.setUint16(o + 20, language, true);
    rv.setUint8(o + 22, c.kind === 'doc' ? 1 : 0);
    rows.set(Buffer.from(c.hash, 'hex'), o + 24);
  }
  const spans: number[] = [];
  chunks.forEach((c, i) => {
    if (c.startColumn !== undefined && c.endColumn !== undefined) spans.push(i, c.startColumn, c.endColumn);
  });
  const tail = Buffer.from(fresh.length ? '\0' + fresh.join('\0') : '', 'utf8');
  const sLen = strLen + tail.length, sPadded = (sLen + 3) & ~3;
  const out = new Uint8Array(HEADER + sPadded + rows.length + (spans.length ? 4 + spans.length * 4 : 0));
  const hv = new DataView(out.buffer);
  hv.setUint32(0, MAGIC, true);
  hv.setUint32(4, spans.length ? VERSION_COLUMNS : VERSION, true);
  hv.setUint32(8, chunks.length, true);
  hv.setUint32(12, hashBytes, true);
  hv.setUint32(16, sLen, true);
  out.set(old.subarray(HEADER, HEADER + strLen), HEADER);
  out.set(tail, HEADER + strLen);
  out.set(rows, HEADER + sPadded);
  if (spans.length) {
    let o = HEADER + sPadded + rows.length;
    hv.setUint32(o, spans.length / 3, true);
    for (const v of spans) hv.setUint32((o += 4), v, true);
  }
  return out;
}
