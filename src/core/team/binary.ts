/**
 * PostgreSQL's binary wire format for the bulk columns of a publish: `pg` sends a Buffer
 * parameter as binary, so a whole batch of vectors travels as one `vector[]` array that the
 * server reads with pgvector's `vector_recv` — no float ever printed or parsed as text (which
 * cost ~0.8 ms per 256-d row in WASM PostgreSQL, 20× the binary path), and bit-identical by
 * construction. Hashes go the same way as `bytea[]`.
 */

/** OID of `bytea`: fixed in every PostgreSQL. */
export const BYTEA_OID = 17;

/** A one-dimensional binary array (array_recv's format) of elements already in binary form. */
export function binaryArray(elementOid: number, elements: readonly Uint8Array[]): Buffer {
  let size = 20;
  for (const e of elements) size += 4 + e.length;
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(1, 0); // dimensions
  out.writeInt32BE(0, 4); // no NULLs
  out.writeUInt32BE(elementOid, 8);
  out.writeInt32BE(elements.length, 12);
  out.writeInt32BE(1, 16); // lower bound
  let at = 20;
  for (const e of elements) {
    out.writeInt32BE(e.length, at);
    out.set(e, at + 4);
    at += 4 + e.length;
  }
  return out;
}

/** pgvector's binary form: int16 dims, int16 unused, then float4 big-endian. */
export function vectorBinary(v: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(4 + 4 * v.length);
  out.writeInt16BE(v.length, 0);
  out.writeInt16BE(0, 2);
  for (let i = 0; i < v.length; i++) out.writeFloatBE(v[i], 4 + 4 * i);
  return out;
}

/** A batch of vectors (rows of `dims` floats taken from `matrix` at `rows`) as one `vector[]` parameter. */
export function vectorArray(vectorOid: number, matrix: Float32Array, dims: number, rows: readonly number[]): Buffer {
  return binaryArray(vectorOid, rows.map((r) => vectorBinary(matrix.subarray(r * dims, (r + 1) * dims))));
}

/** Hex chunk hashes as one `bytea[]` parameter. */
export function hashArray(hex: readonly string[]): Buffer {
  return binaryArray(BYTEA_OID, hex.map((h) => Buffer.from(h, 'hex')));
}

/** The inverse of vectorBinary (what `vector_send(embedding)` returns). */
export function vectorFromBinary(b: Uint8Array): Float32Array {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dims = view.getInt16(0);
  const v = new Float32Array(dims);
  for (let i = 0; i < dims; i++) v[i] = view.getFloat32(4 + 4 * i);
  return v;
}

/** A text[] literal: every element quoted, `"` and `\` escaped (terms may hold any character). */
export function textArrayLiteral(items: readonly string[]): string {
  return `{${items.map((t) => `"${t.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}
