// Lint is where the project's structural rules live, not convention:
//  - typescript-eslint `recommended` everywhere, plus `no-floating-promises` (type-aware): a
//    promise nobody awaits loses its error; one detached on purpose says so with `void` + a reason.
//  - only src/extension may import `vscode`; the webview imports nothing but the protocol;
//  - the edges (src/cli, src/extension) reach the core through its public entry points
//    (src/core/<area>/index.ts, engine.ts, engineTypes.ts, types.ts, embedderFactory.ts), never
//    a deep path into an area's internals.
import tseslint from 'typescript-eslint';

const VSCODE_ONLY_IN_EXTENSION = { name: 'vscode', message: 'Only src/extension/ may import vscode; src/core stays pure.' };
// `../core/search/hybrid` from src/cli or `../../core/index/store` from src/extension/commands.
const DEEP_CORE = {
  group: ['**/core/*/*', '!**/core/*/index', '**/core/*/*/**'],
  message: 'Edges import the core through its public entry points (src/core/<area>/index.ts or the top-level core modules), not its internals.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'media/dist/**', 'node_modules/**', '.vscode-e2e/**', 'test/fixtures/**', '.test-artifacts/**', '.bench/**'] },
  {
    files: ['**/*.ts', '**/*.mjs'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { project: './tsconfig.lint.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe()/it() return promises the runner itself tracks.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      // `_name` marks a parameter or binding kept for its position.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Plain Node scripts: CommonJS interop and Node globals are normal there.
    files: ['**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['src/core/**/*.ts', 'src/protocol/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [VSCODE_ONLY_IN_EXTENSION] }] } },
  { files: ['src/cli/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [VSCODE_ONLY_IN_EXTENSION], patterns: [DEEP_CORE] }] } },
  { files: ['src/extension/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [DEEP_CORE] }] } },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The webview runs in a browser iframe.' }],
        patterns: [{ group: ['**/core/**', '**/extension/**', '**/cli/**'], message: 'The webview imports src/protocol only.' }],
      }],
    },
  },
);
