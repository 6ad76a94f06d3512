/**
 * The structural rules live in lint, so lint itself is tested: each rule the project relies on
 * still fires on a file where it must (the real file's text plus one offending line, linted with
 * the project's own eslint.config.mjs and type information).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { repoRoot } from '../../support/tempDir';

// Under CI=true typescript-eslint infers a "single run" and parses files from disk, so the text
// handed to lintText (the real file plus one offending line) would never be seen: this test lints
// text that is not on disk, so it asks for the normal (watch-program) mode.
process.env.TSESTREE_SINGLE_RUN = 'false';
const eslint = new ESLint({ cwd: repoRoot });

async function ruleIdsWith(file: string, extra: string): Promise<string[]> {
  const abs = path.join(repoRoot, file);
  const [res] = await eslint.lintText(`${fs.readFileSync(abs, 'utf8')}\n${extra}\n`, { filePath: abs });
  return res.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

test('the real files are clean, and each rule fires on the line that breaks it', { timeout: 180_000 }, async () => {
  assert.deepEqual(await ruleIdsWith('src/cli/output.ts', ''), [], 'src/cli/output.ts lints clean as it is');
  assert.ok((await ruleIdsWith('src/cli/output.ts', "export { searchHybrid } from '../core/search/hybrid';")).includes('no-restricted-imports'), 'an edge may not import a deep core path');
  assert.deepEqual(await ruleIdsWith('src/cli/output.ts', "export { searchHybrid } from '../core/search';"), [], 'the public entry point is fine');
  const inExtension = await ruleIdsWith('src/extension/log.ts', "export { EmbedError } from '../core/embedding/errors';");
  assert.ok(inExtension.includes('no-restricted-imports'), `src/extension too (eslint said: ${JSON.stringify(inExtension)})`);
  assert.ok((await ruleIdsWith('src/core/types.ts', "import * as vscode from 'vscode'; export const v = vscode;")).includes('no-restricted-imports'), 'core may not import vscode');
  const floating = 'export function detach(): void { Promise.resolve(1).then(() => undefined); }';
  for (const file of ['src/core/types.ts', 'test/unit/lint/rules.test.ts', 'bench/util.ts']) {
    assert.ok((await ruleIdsWith(file, floating)).includes('@typescript-eslint/no-floating-promises'), `a floating promise in ${file}`);
  }
  assert.deepEqual(await ruleIdsWith('bench/util.ts', 'export function detach(): void { void Promise.resolve(1).then(() => undefined); }'), [], '`void` marks a deliberate detach');
  assert.ok((await ruleIdsWith('scripts/demo.mjs', 'const unused = 1;')).includes('@typescript-eslint/no-unused-vars'), 'recommended covers scripts/');
  assert.ok((await ruleIdsWith('test/unit/lint/rules.test.ts', 'export const x: any = 1;')).includes('@typescript-eslint/no-explicit-any'), 'recommended covers test/');
});
