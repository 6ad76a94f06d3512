// Bundles every entry point with esbuild. An entry whose source does not exist yet is skipped, so
// the build works at every stage of the project.
//   extension  → dist/extension.js   (cjs, Node, `vscode` external)
//   cli        → dist/cli.js         (cjs, Node, with a shebang)
//   chunk worker → dist/chunkWorker.js (cjs, Node; worker_threads entry the CLI and the extension
//                  start from `<their __dirname>/chunkWorker.js` — it uses the same dist/wasm)
//   index worker → dist/indexWorker.js (cjs, Node; the extension host's index runs, which start
//                  their chunk workers from the same dist/)
//   webview    → media/dist/webview.js (iife, browser)
//   ext tests  → out/test/suite/index.js (cjs, Node, `vscode` external; run inside VS Code)
// The tree-sitter runtime and grammars are copied next to the bundles (no download at run time).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { writeVsixReadme } from './vsixReadme.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

const targets = [
  { entry: 'src/extension/extension.ts', outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  { entry: 'src/cli/main.ts', outfile: 'dist/cli.js', platform: 'node', format: 'cjs', banner: { js: '#!/usr/bin/env node' } },
  { entry: 'src/core/chunking/pool/worker.ts', outfile: 'dist/chunkWorker.js', platform: 'node', format: 'cjs' },
  { entry: 'src/core/indexWorker/worker.ts', outfile: 'dist/indexWorker.js', platform: 'node', format: 'cjs' },
  { entry: 'src/webview/main.ts', outfile: 'media/dist/webview.js', platform: 'browser', format: 'iife' },
  { entry: 'test/suite/index.ts', outfile: 'out/test/suite/index.js', platform: 'node', format: 'cjs', external: ['vscode', 'mocha'] },
  { entry: 'test/electron/runTest.ts', outfile: 'out/test/electron/runTest.js', platform: 'node', format: 'cjs', external: ['@vscode/test-electron'] },
];

await Promise.all(
  targets
    .filter((t) => fs.existsSync(path.join(root, t.entry)))
    .map((t) =>
      esbuild.build({
        ...common,
        absWorkingDir: root,
        entryPoints: [t.entry],
        outfile: t.outfile,
        platform: t.platform,
        format: t.format,
        target: t.platform === 'node' ? 'node20' : 'es2022',
        external: t.external ?? [],
        banner: t.banner,
        // The emscripten runtime of tree-sitter probes for these Node modules; keep them as requires.
        ...(t.platform === 'node' ? { mainFields: ['module', 'main'] } : {}),
      }),
    ),
);

// Only the grammars the chunker maps a language to are shipped (see src/core/chunking/languages.ts).
const wasmSrc = path.join(root, 'node_modules/@vscode/tree-sitter-wasm/wasm');
const wasmDst = path.join(root, 'dist/wasm');
fs.mkdirSync(wasmDst, { recursive: true });
const shipped = ['tree-sitter.wasm', 'bash', 'c-sharp', 'cpp', 'css', 'go', 'java', 'javascript', 'php', 'python', 'ruby', 'rust', 'tsx', 'typescript'];
for (const name of shipped) {
  const file = name.endsWith('.wasm') ? name : `tree-sitter-${name}.wasm`;
  fs.copyFileSync(path.join(wasmSrc, file), path.join(wasmDst, file));
}
// package.json's `vsce.readmePath`: the extension page's README (see scripts/vsixReadme.mjs).
writeVsixReadme(root, 'dist/vsix-readme.md');
if (fs.existsSync(path.join(root, 'dist/cli.js'))) fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
console.log(`built ${production ? '(production) ' : ''}into dist/, media/dist/, out/`);
