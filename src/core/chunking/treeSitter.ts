/**
 * Lazy, cached loading of the tree-sitter runtime and grammars from `@vscode/tree-sitter-wasm`.
 *
 * Where the wasm files are: the esbuild bundles (dist/cli.js, dist/extension.js) get a copy of the
 * runtime and grammars in `dist/wasm/` (scripts/build.mjs), so `<__dirname>/wasm` is tried first;
 * in development (tsx, tests) the package in node_modules is used. A host can override both with
 * `setWasmDirectory`. The runtime is always told where `tree-sitter.wasm` is through `locateFile`:
 * its own guess is "next to the script", which after bundling is dist/, not dist/wasm/.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Language, Parser } from '@vscode/tree-sitter-wasm';
import { grammarForPath } from './languages';

type TreeSitterModule = typeof import('@vscode/tree-sitter-wasm');

const RUNTIME_WASM = 'tree-sitter.wasm';

let wasmDirOverride: string | undefined;
let runtime: Promise<TreeSitterModule> | undefined;
const languages = new Map<string, Promise<Language>>();
const parsers = new Map<string, Parser>();
/** Compiled wasm modules held only so that V8 keeps their code: see `retainCompiledCode`. */
const retained = new Map<string, Promise<WebAssembly.Module | undefined>>();
/** The runtime and this many grammars at most: each costs its wire bytes + code (TypeScript ~3 MB, C++ ~5 MB). */
const MAX_RETAINED_GRAMMARS = 4;
let retention = true;

/** Lets a host (extension, tests) say where `tree-sitter.wasm` and the grammars are. Call before the first chunkFile. */
export function setWasmDirectory(dir: string): void {
  wasmDirOverride = dir;
  runtime = undefined;
  languages.clear();
  parsers.clear();
  retained.clear();
}

function nodeRequire(): NodeRequire {
  // CommonJS (bundles, tsx) has `require`; an ESM host falls back to a cwd-based resolver.
  return typeof require === 'function' ? require : createRequire(path.join(process.cwd(), 'noop.js'));
}

/** The directory holding `tree-sitter.wasm` and `tree-sitter-<grammar>.wasm`. */
export function wasmDirectory(): string {
  if (wasmDirOverride) return wasmDirOverride;
  const candidates: string[] = [];
  if (typeof __dirname === 'string') candidates.push(path.join(__dirname, 'wasm'));
  try {
    candidates.push(path.join(path.dirname(nodeRequire().resolve('@vscode/tree-sitter-wasm/package.json')), 'wasm'));
  } catch {
    // not resolvable from here (bundled without node_modules): the first candidate must do
  }
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, RUNTIME_WASM)));
  if (!found) throw new Error(`tree-sitter wasm files not found (looked in: ${candidates.join(', ')})`);
  return found;
}

async function loadRuntime(): Promise<TreeSitterModule> {
  const dir = wasmDirectory();
  // The package is CommonJS: `require` loads it directly. Under tsx, `import()` sent the 4k-line
  // file through the ESM loader on a process's first live update; the bundles already required it.
  const imported = (requireRuntime() ?? (await import('@vscode/tree-sitter-wasm'))) as TreeSitterModule & { default?: TreeSitterModule };
  // The package is a UMD/CommonJS module: depending on the loader its exports sit on `default`.
  const mod = imported.Parser ? imported : (imported.default as TreeSitterModule);
  await mod.Parser.init({ locateFile: (file: string) => path.join(dir, file) });
  return mod;
}

function requireRuntime(): unknown {
  // A direct call, so that the bundles (esbuild) include the package either way.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return typeof require === 'function' ? require('@vscode/tree-sitter-wasm') : undefined;
}

function getRuntime(): Promise<TreeSitterModule> {
  runtime ??= loadRuntime().catch((err: unknown) => {
    runtime = undefined; // let a later call retry (e.g. after setWasmDirectory)
    throw err;
  });
  return runtime;
}

async function loadLanguage(grammar: string): Promise<Language> {
  // The grammar is read while the runtime compiles, not after.
  const read = fs.promises.readFile(path.join(wasmDirectory(), `tree-sitter-${grammar}.wasm`));
  read.catch(() => undefined);
  const mod = await getRuntime();
  const bytes = await read;
  return mod.Language.load(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/**
 * Starts loading the parsers of these files' grammars without waiting: a live update calls it before its
 * synchronous reads of the committed generation, so the wasm compiles (V8's background threads)
 * run during those reads instead of after them. Failures surface at the real `parserFor`.
 */
export function preloadParsersFor(paths: readonly string[]): void {
  for (const g of new Set(paths.map(grammarForPath))) if (g) parserFor(g).catch(() => undefined);
}

/**
 * Keeps the compiled code of the runtime and of `grammar` alive in this process after the chunk
 * workers that compiled it exit. V8 shares one compiled module between the threads of a process
 * that compile the same bytes (a cache keyed by the bytes, holding modules while someone uses
 * them), including the optimised code the workers' parsing tiered up to. Without a holder that
 * code dies with the last worker, and the main thread's first live update after a build compiles
 * the grammar again and parses on baseline code while V8 re-optimises (TypeScript grammar: first
 * parse 34–68 ms, with the code held 8–14 ms). Called while a worker that parsed `grammar` is
 * alive, the compile here is a cache hit (5–25 ms on V8's background threads, nothing on this one).
 */
export function retainCompiledCode(grammar: string): void {
  const grammarsHeld = retained.size - (retained.has(RUNTIME_WASM) ? 1 : 0);
  if (!retention || retained.has(grammar) || grammarsHeld >= MAX_RETAINED_GRAMMARS) return;
  let dir: string;
  try {
    dir = wasmDirectory();
  } catch {
    return; // no wasm here: the chunker reports that where it matters
  }
  const hold = (key: string, file: string) => {
    // A file or compile that fails holds nothing: the parse that needs it reports the failure.
    retained.set(key, fs.promises.readFile(path.join(dir, file)).then((bytes) => WebAssembly.compile(bytes)).catch(() => undefined));
  };
  if (!retained.has(RUNTIME_WASM)) hold(RUNTIME_WASM, RUNTIME_WASM);
  hold(grammar, `tree-sitter-${grammar}.wasm`);
}

/**
 * Off in a process that exits after its build (the CLI's `index`, the index worker process, whose
 * updates chunk in its own thread): there the held code only adds to the build's peak RSS (60 MB of
 * headers: 394–398 → 418–420 MB, the C++ grammar's bytes and code kept through the build's tail).
 */
export function setCodeRetention(on: boolean): void {
  retention = on;
  if (!on) retained.clear();
}

/** What `retainCompiledCode` holds: the runtime and grammars, once their compiles finished (tests, benches). */
export async function retainedCode(): Promise<string[]> {
  const held: string[] = [];
  for (const [key, m] of retained) if (await m) held.push(key);
  return held;
}

/** A parser for `grammar` (e.g. `typescript`, `c-sharp`), created once and reused. */
export async function parserFor(grammar: string): Promise<Parser> {
  const cached = parsers.get(grammar);
  if (cached) return cached;
  let lang = languages.get(grammar);
  if (!lang) {
    lang = loadLanguage(grammar);
    languages.set(grammar, lang);
    lang.catch(() => languages.delete(grammar));
  }
  const language = await lang;
  const existing = parsers.get(grammar); // another caller may have won the race
  if (existing) return existing;
  const mod = await getRuntime();
  const parser = new mod.Parser();
  parser.setLanguage(language);
  parsers.set(grammar, parser);
  return parser;
}
