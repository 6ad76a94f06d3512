/**
 * Zeroed byte arrays for the large buffers of an opened generation (vector rows, postings, the
 * chunk table's bytes), taken from pages the runtime maps for them alone — a WebAssembly memory —
 * instead of from the C allocator.
 *
 * Why: glibc's malloc maps a large block by itself, but the first time such a block is freed it
 * raises its "map by itself" threshold to that block's size (up to 32 MiB) and never lowers it.
 * A long-lived host that opens generation after generation frees one generation's buffers per
 * update; after the first, every later buffer under the threshold lands in the main heap, among
 * the live ones, and the holes the old generation leaves can never be returned to the OS.
 * Measured on 58k chunks (host process, 6 live updates): the main heap grew 9 → 69 MB and the RSS
 * 1.25× a fresh process's, with the JS heap and array buffers flat. A WebAssembly memory is
 * unmapped as a whole when it is collected, and never touches that threshold.
 *
 * Each memory reserves address space (not RAM) beyond its size, and a runtime caps the total: a
 * failure to get one falls back to an ordinary buffer — same contents, only the old behaviour.
 */
const PAGE = 65536;

/** Below this an ordinary buffer is cheaper: glibc serves it from its heap without the threshold issue mattering. */
export const BIG_BYTES = 1 << 20;

/** The largest memory taken this way (64 Ki pages of 64 KiB = 4 GiB for a 32-bit WebAssembly memory). */
const MAX_PAGES = 65535;

let unavailable = typeof WebAssembly === 'undefined' || typeof WebAssembly.Memory !== 'function';
let taken = 0;

/** `SEMANTIC_WORKSPACE_BIG_MEMORY=0` turns this off (ordinary buffers only), read at each call: an escape hatch, and what the tests compare with. */
function switchedOff(): boolean {
  return typeof process !== 'undefined' && process.env.SEMANTIC_WORKSPACE_BIG_MEMORY === '0';
}

/** How many buffers this process took from WebAssembly memories (diagnostics and tests). */
export function bigMemoriesTaken(): number {
  return taken;
}

/** A zeroed ArrayBuffer of at least `bytes` bytes (exactly `bytes` when it is small or none could be mapped). */
export function bigArrayBuffer(bytes: number): ArrayBuffer {
  if (bytes >= BIG_BYTES && !unavailable && !switchedOff()) {
    const pages = Math.ceil(bytes / PAGE);
    if (pages <= MAX_PAGES) {
      try {
        const buffer = new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer;
        taken++;
        return buffer;
      } catch {
        // Address space for memories used up (or a runtime that refuses them): ordinary buffers from now on.
        unavailable = true;
      }
    }
  }
  return new ArrayBuffer(bytes);
}

export function bigBytes(bytes: number): Uint8Array {
  return new Uint8Array(bigArrayBuffer(bytes), 0, bytes);
}

export function bigFloats(count: number): Float32Array {
  return new Float32Array(bigArrayBuffer(count * 4), 0, count);
}

export function bigU32(count: number): Uint32Array {
  return new Uint32Array(bigArrayBuffer(count * 4), 0, count);
}

export function bigI32(count: number): Int32Array {
  return new Int32Array(bigArrayBuffer(count * 4), 0, count);
}

/** `a.slice(0, n)` (n ≤ a.length), in big memory when it is large. */
export function bigSlice<T extends Uint32Array | Int32Array>(a: T, n = a.length): T {
  const out = (a instanceof Uint32Array ? bigU32(n) : bigI32(n)) as T;
  out.set(a.subarray(0, n));
  return out;
}
