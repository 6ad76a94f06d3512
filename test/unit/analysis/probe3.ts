import fs from 'node:fs';
import { tokenize } from '../../../src/core/text/tokenize';
const tax = new Set(tokenize(fs.readFileSync('test/fixtures/analysis/notes-en/misc/tax-return.md', 'utf8')));
for (const f of ['baking/kubectl-cheatsheet.md', 'kubernetes/helm-charts.md', 'kubernetes/debugging-pods.md', 'kubernetes/configmaps-secrets.md']) {
  const t = tokenize(fs.readFileSync('test/fixtures/analysis/notes-en/' + f, 'utf8'));
  console.log(f, t.filter((x) => tax.has(x)));
}
