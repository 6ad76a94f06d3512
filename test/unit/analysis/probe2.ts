import { notesOf } from '../../../src/core/analysis/noteTexts';
import { cohesionLift } from '../../../src/core/analysis/cohesion';
import { selectAndFit } from '../../../src/core/analysis/kmeansSelection';
import { dot } from '../../../src/core/analysis/vectors';
import { loadCorpus } from './support';
for (const set of ['notes-en', 'notes-zh']) {
const { input } = loadCorpus([set]);
const f = notesOf(input);
const rows = f.paths.map((_, i) => i);
const s = selectAndFit(f.vectors, f.dims, rows, {});
const c = cohesionLift(f.vectors, f.dims, rows, s.fit.assignments, s.fit.k);
const out = rows.map((r) => {
  const sims = rows.filter((q) => q !== r).map((q) => dot(f.vectors, r * f.dims, f.vectors, q * f.dims, f.dims)).sort((a, b) => b - a);
  const knn = (sims[0] + sims[1] + sims[2]) / 3;
  const bg = sims.reduce((a, b) => a + b, 0) / sims.length;
  return [f.paths[r].split('/').slice(2).join('/'), c.lift[r].toFixed(3), knn.toFixed(3), bg.toFixed(3), (knn - bg).toFixed(3)];
}).sort((a, b) => +a[4] - +b[4]);
console.log(out.slice(0, 8).map((x) => x.join(' ')).join('\n'));
}
