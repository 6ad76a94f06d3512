// The layering rule is enforced here, not by convention: only src/extension may import `vscode`,
// and the webview may import nothing but the protocol.
import tseslint from 'typescript-eslint';

const noVscode = {
  'no-restricted-imports': ['error', {
    paths: [{ name: 'vscode', message: 'Only src/extension/ may import vscode; src/core stays pure.' }],
  }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'media/dist/**', 'node_modules/**', '.vscode-e2e/**'] },
  { files: ['src/**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { '@typescript-eslint': tseslint.plugin } },
  { files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/protocol/**/*.ts'], rules: noVscode },
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
