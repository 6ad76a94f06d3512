/**
 * Binary format of the keyword index (little data, no JSON): the index store persists these bytes.
 *
 *   "SWK" 0x02                          magic + format version
 *   varint capacity                     ids are 0 .. capacity−1
 *   per id: varint(textLen + 1) | 0     0 = no chunk; then varint symbolLen, varint pathLen
 *   varint terms
 *   varint termBytes, termBytes bytes   the terms, sorted, joined by "\n", UTF-8: one decode + split
 *   per term: varint postings, varint lastId, varint byteLength
 *   the postings bytes of every term, in term order (see postings.ts)
 *
 * Version 1 (still read; written only when a term contains "\n") front-codes the string table
 * and interleaves it with the postings:
 *   per term, sorted: varint shared, varint suffixLen, suffix bytes,
 *                     varint postings, varint lastId, varint byteLength, postings bytes
 * Either way the terms are sorted (JS string order), so a reader can binary-search them.
 */
import { bigBytes, bigI32, bigU32 } from '../bigMemory';
import { ByteReader, ByteWriter } from './bytes';
import type { PostingStore } from './postings';
import { runSteps, type Steps } from '../slices';

/** Ids or terms read between two yields of `readKeywordIndexSteps` (~1-2 ms). */
const STEP = 16384;
/** Bytes of the term table decoded in one step. */
const TABLE_PIECE = 1 << 18;

const MAGIC = [0x53, 0x57, 0x4b];
const V1 = 0x01;
const V2 = 0x02;
const SEP = '\n';

export interface KeywordIndexParts {
  readonly capacity: number;
  readonly state: Uint8Array;
  readonly textLen: Uint32Array;
  readonly symbolLen: Uint32Array;
  readonly pathLen: Uint32Array;
  readonly termText: string[];
  readonly postings: Uint8Array;
  readonly start: Uint32Array;
  readonly len: Uint32Array;
  readonly count: Uint32Array;
  readonly last: Int32Array;
}

export interface KeywordIndexSource {
  readonly capacity: number;
  readonly state: Uint8Array;
  readonly textLen: Uint32Array;
  readonly symbolLen: Uint32Array;
  readonly pathLen: Uint32Array;
  readonly termText: readonly string[];
  readonly store: PostingStore;
}

/** Expects a flushed store with tombstones purged (state is 0 or 1 everywhere). */
/** `version` 1 writes the previous format (kept readable; tests use it); 2 is the default. */
export function writeKeywordIndex(src: KeywordIndexSource, version: 1 | 2 = 2): Uint8Array {
  const { store } = src;
  // Sorted so a reader can binary-search the table (and, in version 1, neighbours share prefixes).
  const terms: number[] = [];
  for (let t = 0; t < src.termText.length; t++) if (store.count[t] > 0) terms.push(t);
  terms.sort((a, b) => (src.termText[a] < src.termText[b] ? -1 : 1));
  const v2 = version === 2 && terms.every((t) => !src.termText[t].includes(SEP));
  const out = new ByteWriter(store.data.length + src.capacity * 4 + src.termText.length * 16 + 64);
  for (const b of MAGIC) out.byte(b);
  out.byte(v2 ? V2 : V1);
  out.varint(src.capacity);
  for (let id = 0; id < src.capacity; id++) {
    if (src.state[id] !== 1) {
      out.varint(0);
      continue;
    }
    out.varint(src.textLen[id] + 1);
    out.varint(src.symbolLen[id]);
    out.varint(src.pathLen[id]);
  }
  const encoder = new TextEncoder();
  if (v2) {
    out.varint(terms.length);
    const table = encoder.encode(terms.map((t) => src.termText[t]).join(SEP));
    out.varint(table.length);
    out.bytes(table);
    for (const t of terms) {
      out.varint(store.count[t]);
      out.varint(store.last[t]);
      out.varint(store.len[t]);
    }
    for (const t of terms) out.bytes(store.data.subarray(store.start[t], store.start[t] + store.len[t]));
    return out.finish();
  }
  const order = terms.map((term) => ({ term, utf8: encoder.encode(src.termText[term]) }));
  out.varint(order.length);
  let prev: Uint8Array = new Uint8Array(0);
  for (const { term, utf8 } of order) {
    let shared = 0;
    while (shared < prev.length && shared < utf8.length && prev[shared] === utf8[shared]) shared++;
    out.varint(shared);
    out.varint(utf8.length - shared);
    out.bytes(utf8.subarray(shared));
    prev = utf8;
    out.varint(store.count[term]);
    out.varint(store.last[term]);
    out.varint(store.len[term]);
    out.bytes(store.data.subarray(store.start[term], store.start[term] + store.len[term]));
  }
  return out.finish();
}

/** `copy: false` when the caller hands the bytes over (never changes them afterwards). */
export function readKeywordIndex(input: Uint8Array, copy = true): KeywordIndexParts {
  return runSteps(readKeywordIndexSteps(input, copy));
}

/** `readKeywordIndex` in steps of a few thousand ids or terms (slices.ts). */
export function* readKeywordIndexSteps(input: Uint8Array, copy = true): Steps<KeywordIndexParts> {
  // One copy, so the postings can point into it whatever buffer the caller reuses (1 MiB per step).
  let bytes = input;
  if (copy) {
    bytes = bigBytes(input.length);
    for (let at = 0; at < input.length; at += 1 << 20) {
      bytes.set(input.subarray(at, at + (1 << 20)), at);
      yield;
    }
  }
  const r = new ByteReader(bytes);
  for (const b of MAGIC) if (r.byte() !== b) throw new Error('not a keyword index (bad magic)');
  const version = r.byte();
  if (version !== V1 && version !== V2) throw new Error('not a keyword index (unknown version)');
  const capacity = r.varint();
  const state = new Uint8Array(capacity);
  const textLen = new Uint32Array(capacity);
  const symbolLen = new Uint32Array(capacity);
  const pathLen = new Uint32Array(capacity);
  for (let id = 0; id < capacity; id++) {
    const t = r.varint();
    if (t === 0) continue;
    state[id] = 1;
    textLen[id] = t - 1;
    symbolLen[id] = r.varint();
    pathLen[id] = r.varint();
    if (id % STEP === STEP - 1) yield;
  }
  const terms = r.varint();
  if (version === V2) return yield* readTablesV2(r, terms, { capacity, state, textLen, symbolLen, pathLen });
  const termText: string[] = new Array(terms);
  const start = bigU32(terms);
  const len = bigU32(terms);
  const count = bigU32(terms);
  const last = bigI32(terms);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let prev: Uint8Array = new Uint8Array(0);
  for (let t = 0; t < terms; t++) {
    const shared = r.varint();
    const suffix = r.bytes(r.varint());
    if (shared > prev.length) throw new Error('corrupt keyword index (string table)');
    const utf8 = new Uint8Array(shared + suffix.length);
    utf8.set(prev.subarray(0, shared));
    utf8.set(suffix, shared);
    termText[t] = decoder.decode(utf8);
    prev = utf8;
    count[t] = r.varint();
    last[t] = r.varint();
    len[t] = r.varint();
    start[t] = r.pos;
    r.bytes(len[t]);
    if (t % STEP === STEP - 1) yield;
  }
  if (r.pos !== bytes.length) throw new Error('corrupt keyword index (trailing bytes)');
  return { capacity, state, textLen, symbolLen, pathLen, termText, postings: bytes, start, len, count, last };
}

function* readTablesV2(
  r: ByteReader, terms: number, ids: Pick<KeywordIndexParts, 'capacity' | 'state' | 'textLen' | 'symbolLen' | 'pathLen'>,
): Steps<KeywordIndexParts> {
  const table = r.bytes(r.varint());
  const termText: string[] = [];
  if (terms > 0 || table.length > 0) {
    // Decoded and split in pieces of ~256 KiB cut at separators (a newline byte is never inside a
    // UTF-8 sequence): the same strings as one decode and split, without one 30-60 ms call at 300k terms.
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const sep = SEP.charCodeAt(0);
    for (let from = 0; ;) {
      let to = Math.min(table.length, from + TABLE_PIECE);
      while (to < table.length && table[to] !== sep) to++;
      for (const t of decoder.decode(table.subarray(from, to)).split(SEP)) termText.push(t);
      yield;
      if (to >= table.length) break;
      from = to + 1;
    }
  }
  if (termText.length !== terms) throw new Error('corrupt keyword index (string table)');
  const start = bigU32(terms);
  const len = bigU32(terms);
  const count = bigU32(terms);
  const last = bigI32(terms);
  for (let t = 0; t < terms; t++) {
    count[t] = r.varint();
    last[t] = r.varint();
    len[t] = r.varint();
    if (t % STEP === STEP - 1) yield;
  }
  let pos = r.pos;
  for (let t = 0; t < terms; t++) {
    start[t] = pos;
    pos += len[t];
  }
  if (pos !== r.buf.length) throw new Error('corrupt keyword index (postings length)');
  return { ...ids, termText, postings: r.buf, start, len, count, last };
}
