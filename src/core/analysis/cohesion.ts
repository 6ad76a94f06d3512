/**
 * How much a member belongs to its cluster, measured so that small clusters and anisotropic
 * embedding spaces do not fool it:
 * - own: cosine to the centroid of the OTHER members of its cluster (leave-one-out). In a cluster of
 *   five, a note's own vector is a fifth of the centroid and hides how little it shares with the rest.
 * - background: cosine to the centroid of everything outside its cluster. Remote embeddings put
 *   unrelated texts at cosine 0.3–0.5, offline ones near 0; subtracting the background makes one
 *   rule work for both.
 * - lift = own − background: near zero or negative for a note that belongs nowhere.
 *
 * With unit rows and S = Σ members: own = (v·S − 1) / ‖S − v‖, where ‖S − v‖² = ‖S‖² − 2 v·S + 1.
 */
export interface Cohesion {
  readonly ownScore: number[];
  readonly background: number[];
  readonly lift: number[];
}

export function cohesionLift(vectors: Float32Array, dims: number, rows: readonly number[], assignments: readonly number[], k: number): Cohesion {
  const sums = new Float64Array(k * dims);
  const total = new Float64Array(dims);
  rows.forEach((r, i) => {
    const base = assignments[i] * dims;
    for (let d = 0; d < dims; d++) {
      sums[base + d] += vectors[r * dims + d];
      total[d] += vectors[r * dims + d];
    }
  });
  const norm2 = (c: number, sign: number, withTotal: boolean) => {
    let s = 0;
    for (let d = 0; d < dims; d++) s += ((withTotal ? total[d] : 0) + sign * sums[c * dims + d]) ** 2;
    return s;
  };
  const ownNorm2 = Array.from({ length: k }, (_, c) => norm2(c, 1, false));
  const restNorm = Array.from({ length: k }, (_, c) => Math.sqrt(norm2(c, -1, true)));

  const ownScore: number[] = [];
  const background: number[] = [];
  rows.forEach((r, i) => {
    const c = assignments[i];
    let vs = 0;
    let vt = 0;
    for (let d = 0; d < dims; d++) {
      vs += vectors[r * dims + d] * sums[c * dims + d];
      vt += vectors[r * dims + d] * total[d];
    }
    const rest2 = ownNorm2[c] - 2 * vs + 1;
    ownScore.push(rest2 > 1e-9 ? (vs - 1) / Math.sqrt(rest2) : 0);
    background.push(restNorm[c] > 1e-9 ? (vt - vs) / restNorm[c] : 0);
  });
  return { ownScore, background, lift: ownScore.map((o, i) => o - background[i]) };
}
