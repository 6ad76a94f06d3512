// `npm run demo`: builds everything, indexes this repository with the offline default (no key,
// nothing leaves the machine), runs a few searches in English and Chinese, and packages the
// extension into a .vsix — the two artifacts people use.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const cli = (...args) => run(process.execPath, ['dist/cli.js', ...args]);

run(process.execPath, ['scripts/build.mjs', '--production']);
console.log('\n$ semantic-workspace index . (offline)');
cli('index', '.');
for (const q of ['retry on HTTP 429 with backoff', 'atomic write of the index manifest', '中文分词 关键词搜索', 'parse frontmatter tags']) {
  console.log(`\n$ semantic-workspace search . "${q}" --top-k 3`);
  cli('search', '.', q, '--top-k', '3');
}
// Exactly `npm run package` (plain `vsce package`): its settings live in package.json's `vsce` key.
console.log('\n$ vsce package --out semantic-workspace.vsix');
run(path.join(root, 'node_modules/.bin/vsce'), ['package', '--out', 'semantic-workspace.vsix']);
console.log('\nInstall it with: code --install-extension semantic-workspace.vsix');
