/**
 * First-stage scorer of the vector index: dot products of an int8 query against every int8 row of
 * the Matryoshka prefix matrix. Plain JS manages ~35–45 ms for 100k × 256 on a 2-core box, too
 * slow for a 15 ms search, so the loop is a tiny hand-assembled WebAssembly SIMD function
 * (`i32x4.dot_i16x8_s`: 8 multiply-adds per instruction, a quarter of the memory traffic of float32).
 * Where WebAssembly SIMD is missing, a JS loop over the same bytes gives identical results.
 *
 * Memory layout (one linear memory, grown as rows are added):
 *   [0, queryBytes)        the query prefix widened to int16
 *   [rowsAt, rowsAt + cap·P)   int8 rows, P bytes each (P a multiple of 16)
 *   [outAt, outAt + 4·cap)     int32 scores written by `scan`
 */

/** Hand-assembled module: (func (export "scan") (param rows n p query out i32)). */
function scanModuleBytes(): Uint8Array<ArrayBuffer> {
  const SIMD = 0xfd;
  const get = (i: number): number[] => [0x20, i];
  const set = (i: number): number[] => [0x21, i];
  const tee = (i: number): number[] => [0x22, i];
  const i32const = (v: number): number[] => [0x41, v]; // small non-negative values only (< 64)
  const add = 0x6a, ltU = 0x49, eqz = 0x45, shl = 0x74;
  const v128load = (offset: number): number[] => [SIMD, 0x00, 0x00, offset];
  const load8x8s = (offset: number): number[] => [SIMD, 0x01, 0x00, offset];
  const zero = [SIMD, 0x0c, ...new Array(16).fill(0)];
  const dot = [SIMD, 0xba, 0x01];
  const addI32x4 = [SIMD, 0xae, 0x01];
  const lane = (l: number): number[] => [SIMD, 0x1b, l];
  // params: 0 rows, 1 n, 2 p, 3 query, 4 out; locals: 5 end, 6 j, 7 qj, 8 acc, 9 acc2
  const [ROWS, N, P, Q, OUT, END, J, QJ, ACC, ACC2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const body = [
    ...get(OUT), ...get(N), ...i32const(2), shl, add, ...set(END),
    0x02, 0x40, // block
    ...get(N), eqz, 0x0d, 0x00, // br_if 0 when n == 0
    0x03, 0x40, // loop over rows
    ...zero, ...set(ACC), ...zero, ...set(ACC2),
    ...get(ROWS), ...set(J), ...get(Q), ...set(QJ),
    0x03, 0x40, // loop over 16-byte blocks of the row
    ...get(ACC), ...get(J), ...load8x8s(0), ...get(QJ), ...v128load(0), ...dot, ...addI32x4, ...set(ACC),
    ...get(ACC2), ...get(J), ...load8x8s(8), ...get(QJ), ...v128load(16), ...dot, ...addI32x4, ...set(ACC2),
    ...get(QJ), ...i32const(32), add, ...set(QJ),
    ...get(J), ...i32const(16), add, ...tee(J), ...get(ROWS), ...get(P), add, ltU, 0x0d, 0x00,
    0x0b, // end inner loop
    ...get(OUT),
    ...get(ACC), ...get(ACC2), ...addI32x4, ...tee(ACC), ...lane(0),
    ...get(ACC), ...lane(1), add, ...get(ACC), ...lane(2), add, ...get(ACC), ...lane(3), add,
    0x36, 0x02, 0x00, // i32.store align=4
    ...get(ROWS), ...get(P), add, ...set(ROWS),
    ...get(OUT), ...i32const(4), add, ...tee(OUT), ...get(END), ltU, 0x0d, 0x00,
    0x0b, // end row loop
    0x0b, // end block
    0x0b, // end function
  ];
  const locals = [0x02, 0x03, 0x7f, 0x02, 0x7b]; // 3 × i32, 2 × v128
  const code = [...locals, ...body];
  const section = (id: number, payload: number[]): number[] => [id, ...leb(payload.length), ...payload];
  const name = (s: string): number[] => [s.length, ...[...s].map((c) => c.charCodeAt(0))];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]),
    ...section(2, [0x01, ...name('e'), ...name('m'), 0x02, 0x00, 0x01]), // import memory e.m, min 1 page
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, ...name('scan'), 0x00, 0x00]),
    ...section(10, [0x01, ...leb(code.length), ...code]),
  ]);
}

function leb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

type ScanFn = (rows: number, n: number, p: number, query: number, out: number) => void;

let compiled: WebAssembly.Module | null | undefined;
function simdModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = scanModuleBytes();
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const PAGE = 65536;

/** Int8 rows of `width` bytes (a multiple of 16) in WebAssembly memory, scored against a query. */
export class Int8Matrix {
  private memory: WebAssembly.Memory | undefined;
  private buffer: ArrayBuffer;
  private scan: ScanFn | undefined;
  private capacity = 0;
  private readonly queryBytes: number;
  rows: Int8Array = new Int8Array(0);
  private query16: Int16Array;
  private out: Int32Array = new Int32Array(0);

  constructor(readonly width: number, forceJs = false) {
    if (width % 16 !== 0 || width <= 0) throw new RangeError('Int8Matrix width must be a positive multiple of 16');
    this.queryBytes = Math.ceil((width * 2) / 64) * 64;
    const mod = forceJs ? null : simdModule();
    if (mod) {
      this.memory = new WebAssembly.Memory({ initial: 1 });
      const instance = new WebAssembly.Instance(mod, { e: { m: this.memory } });
      this.scan = instance.exports.scan as ScanFn;
      this.buffer = this.memory.buffer;
    } else {
      this.buffer = new ArrayBuffer(PAGE);
    }
    this.query16 = new Int16Array(this.buffer, 0, width);
    this.layout(0);
  }

  get usesSimd(): boolean {
    return this.scan !== undefined;
  }

  /** Keeps rows [0, n) and makes room for at least n rows. */
  reserve(n: number): void {
    if (n <= this.capacity) return;
    const cap = Math.max(n, Math.ceil(this.capacity * 1.5), 256);
    const need = this.queryBytes + cap * this.width + cap * 4;
    const old = new Int8Array(this.rows); // copy: growing the memory detaches the old views
    if (need > this.buffer.byteLength) {
      if (this.memory) {
        this.memory.grow(Math.ceil((need - this.buffer.byteLength) / PAGE));
        this.buffer = this.memory.buffer;
      } else {
        this.buffer = new ArrayBuffer(need);
      }
    }
    this.layout(cap);
    this.rows.set(old);
  }

  private layout(cap: number): void {
    this.capacity = cap;
    this.query16 = new Int16Array(this.buffer, 0, this.width);
    this.rows = new Int8Array(this.buffer, this.queryBytes, cap * this.width);
    this.out = new Int32Array(this.buffer, this.queryBytes + cap * this.width, cap);
  }

  /** Integer dot products of `query` with rows [0, n); the returned view is valid until the next call. */
  scores(query: Int8Array, n: number): Int32Array {
    const w = this.width;
    this.query16.set(query);
    if (this.scan) {
      this.scan(this.queryBytes, n, w, 0, this.queryBytes + this.capacity * w);
      return this.out.subarray(0, n);
    }
    const rows = this.rows, q = this.query16, out = this.out;
    for (let r = 0, o = 0; r < n; r++, o += w) {
      let a = 0, b = 0, c = 0, d = 0;
      for (let j = 0; j < w; j += 4) {
        a += rows[o + j] * q[j];
        b += rows[o + j + 1] * q[j + 1];
        c += rows[o + j + 2] * q[j + 2];
        d += rows[o + j + 3] * q[j + 3];
      }
      out[r] = a + b + c + d;
    }
    return out.subarray(0, n);
  }
}

/** Symmetric int8 quantization of `src[from, from + len)`; returns the scale (value = q · scale). */
export function quantizeInto(src: Float32Array, from: number, len: number, dst: Int8Array, at: number): number {
  let max = 0;
  for (let j = 0; j < len; j++) max = Math.max(max, Math.abs(src[from + j]));
  if (max === 0) {
    dst.fill(0, at, at + len);
    return 0;
  }
  const k = 127 / max;
  for (let j = 0; j < len; j++) dst[at + j] = Math.round(src[from + j] * k);
  return max / 127;
}
