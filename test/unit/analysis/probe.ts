import { clusterNotes } from '../../../src/core/analysis/clusterNotes';
import { loadCorpus } from './support';
(async () => {
for (const dir of ['notes-en', 'notes-zh']) {
  const { input } = loadCorpus([dir]);
  const r = await clusterNotes(input);
  console.log(dir, 'k', r.k, 'sil', r.silhouette, 'thr', r.outlierThreshold, 'outliers', r.outliers.map(o => o.path + ':' + o.score));
  for (const t of r.topics) console.log(t.label, t.x, t.y, '|', t.members.map(m => m.path.split('/').slice(1).join('/') + ':' + m.score + '@' + m.x + ',' + m.y).join(' '));
}
})();
