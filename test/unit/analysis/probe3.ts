import { PCA } from 'ml-pca';
import { notesOf } from '../../../src/core/analysis/noteTexts';
import { loadCorpus } from './support';
for (const set of ['notes-en', 'notes-zh']) {
const { input } = loadCorpus([set]);
const f = notesOf(input);
const data = Array.from({ length: f.paths.length }, (_, r) => Array.from(f.vectors.subarray(r * f.dims, (r + 1) * f.dims)));
try { const p = new PCA(data, { method: 'NIPALS', nCompNIPALS: 2 }); console.log(p.predict(data, { nComponents: 2 }).to2DArray().slice(0, 2)); } catch (e) { console.log('PCA', e); }
try { const p = new PCA(data, { method: 'SVD' }); console.log(p.predict(data, { nComponents: 2 }).to2DArray().slice(0, 2)); } catch (e) { console.log('PCA', e); }
}
