/**
 * Turning reply JSON into vectors we are willing to store. A vector of the wrong length or with a
 * NaN/Infinity would silently poison the index (the openai-node base64 bug turns 1024 floats into
 * 256 zeros: contract §3.1), so anything off ends the run with an `invalid-reply` EmbedError.
 */
import { EmbedError } from './errors';

/** One sparse dimension of DashScope `output_type: "dense&sparse"`. */
export interface SparseEntry {
  readonly index: number;
  readonly value: number;
  readonly token: string;
}
export type SparseVector = readonly SparseEntry[];

/** Standard base64 of little-endian float32 bytes → Float32Array (copy, aligned). */
export function decodeBase64Floats(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length % 4 !== 0) throw new Error(`base64 embedding has ${bytes.length} bytes, not a multiple of 4`);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/**
 * Validates one embedding (number[] or base64 string). `expected` undefined means "learn it":
 * the caller stores the first length and passes it from then on.
 */
export function toVector(raw: unknown, expected: number | undefined, source: string): Float32Array {
  let v: Float32Array;
  if (typeof raw === 'string') {
    try {
      v = decodeBase64Floats(raw);
    } catch (e) {
      throw new EmbedError('invalid-reply', `${source} returned an undecodable base64 embedding (${(e as Error).message}); nothing was stored.`);
    }
  } else if (Array.isArray(raw)) {
    v = new Float32Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const x = raw[i];
      v[i] = typeof x === 'number' ? x : NaN;
    }
  } else {
    throw new EmbedError('invalid-reply', `${source} returned an embedding that is neither a number array nor a base64 string; nothing was stored.`);
  }
  if (expected !== undefined && v.length !== expected) {
    throw new EmbedError(
      'invalid-reply',
      `${source} returned a ${v.length}-dimensional vector where ${expected} were expected; nothing was stored. ` +
        'Check the dimensions setting matches what the model produces.',
    );
  }
  if (v.length === 0) throw new EmbedError('invalid-reply', `${source} returned an empty vector; nothing was stored.`);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      throw new EmbedError('invalid-reply', `${source} returned a vector with a non-finite value (NaN/Infinity); nothing was stored.`);
    }
  }
  return v;
}

/** Parses DashScope's `sparse_embedding` list; malformed entries are dropped (sparse is an extra). */
export function toSparse(raw: unknown): SparseVector | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out: SparseEntry[] = [];
  for (const e of raw) {
    if (e && typeof e === 'object') {
      const { index, value, token } = e as Record<string, unknown>;
      if (typeof index === 'number' && typeof value === 'number' && Number.isFinite(value)) {
        out.push({ index, value, token: typeof token === 'string' ? token : '' });
      }
    }
  }
  return out;
}
