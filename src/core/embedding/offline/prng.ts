/**
 * A seeded PRNG for the randomized SVD: the fit must be bit-for-bit reproducible from the same
 * corpus (Math.random is not seedable), so the basis id is stable across rebuilds.
 */

/** mulberry32: tiny, fast, good enough for random projections. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills `out` with standard normal samples (Box–Muller). */
export function fillGaussian(out: Float64Array, rand: () => number): void {
  for (let i = 0; i < out.length; i += 2) {
    const u = 1 - rand(); // (0, 1]: log(0) is never taken
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
}
