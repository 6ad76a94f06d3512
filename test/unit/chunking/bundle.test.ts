/**
 * The chunker bundled the way scripts/build.mjs bundles the CLI and the extension (esbuild, cjs,
 * platform node), run from a folder without node_modules: it must find the runtime and grammars
 * in `<bundle dir>/wasm/` (where the build copies them).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { tempDir } from '../../support/tempDir';

const repo = path.resolve(__dirname, '../../..');
const tmp = tempDir('sw-bundle-');
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('chunkFile in an esbuild bundle', () => {
  for (const production of [false, true]) {
    it(`finds dist/wasm next to the bundle (${production ? 'minified' : 'dev'} build)`, { timeout: 120_000 }, async () => {
      const dir = path.join(tmp, production ? 'prod' : 'dev');
      const entry = path.join(dir, 'entry.ts');
      fs.mkdirSync(path.join(dir, 'dist', 'wasm'), { recursive: true });
      fs.writeFileSync(
        entry,
        `import { chunkFile } from ${JSON.stringify(path.join(repo, 'src/core/chunking'))};\n` +
          `chunkFile('a.py', 'import os\\n\\n\\nclass A:\\n    def m(self):\\n        return 1\\n')` +
          `.then((c) => console.log(JSON.stringify(c.map((x) => [x.startLine, x.endLine, x.symbol]))))` +
          `.catch((e) => { console.error(e); process.exit(1); });\n`,
      );
      // Same options as scripts/build.mjs for node targets.
      await esbuild.build({
        bundle: true, sourcemap: !production, minify: production, logLevel: 'silent', legalComments: 'none',
        absWorkingDir: repo, entryPoints: [entry], outfile: path.join(dir, 'dist', 'cli.js'),
        platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'],
      });
      const wasm = path.join(repo, 'node_modules/@vscode/tree-sitter-wasm/wasm');
      for (const f of ['tree-sitter.wasm', 'tree-sitter-python.wasm']) fs.copyFileSync(path.join(wasm, f), path.join(dir, 'dist', 'wasm', f));
      const out = execFileSync(process.execPath, [path.join(dir, 'dist', 'cli.js')], { cwd: os.tmpdir(), encoding: 'utf8' });
      assert.deepEqual(JSON.parse(out), [[1, 6, 'A']]);
    });
  }
});
