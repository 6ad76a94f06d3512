/**
 * No import cycles in src/cli (and none anywhere in src/ beyond the ones listed): a cycle makes
 * module initialisation order matter (a class used before its module ran) and hides which
 * module depends on which. `import type` is erased at build time and is not counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, tempDir } from '../../support/tempDir';

const IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
}

/** Every cycle (as a list of repo-relative files) among `files`' runtime imports. */
export function importCycles(files: readonly string[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const to = resolve(f, m[1]);
      if (to) deps.push(to);
    }
    graph.set(f, deps);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].map((p) => path.relative(repoRoot, p)));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return cycles;
}

test('src/cli has no import cycle, and neither has the rest of src/', () => {
  assert.deepEqual(importCycles(sourceFiles(path.join(repoRoot, 'src/cli'))), []);
  assert.deepEqual(importCycles(sourceFiles(path.join(repoRoot, 'src'))), []);
});

test('the cycle finder finds a cycle (self-test)', () => {
  const cycles = importCycles(['src/cli/main.ts', 'src/cli/searchCommands.ts'].map((f) => path.join(repoRoot, f)));
  assert.deepEqual(cycles, [], 'main.ts → searchCommands.ts is one way only');
  const dir = tempDir('sw-cycle-');
  fs.writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = b;\n");
  fs.writeFileSync(path.join(dir, 'b.ts'), "import { a } from './a';\nexport const b = () => a;\n");
  fs.writeFileSync(path.join(dir, 'c.ts'), "import type { a } from './a';\nexport type C = typeof a;\n");
  assert.equal(importCycles(sourceFiles(dir)).length, 1, 'a ↔ b; the type-only import is not a cycle');
});
