/**
 * Language detection by file extension, and which tree-sitter grammar (if any) parses it.
 * Language ids follow VS Code's (`typescriptreact`, `shellscript`, `plaintext`) so filters and the
 * editor speak the same names. scripts/build.mjs ships exactly the grammars named here.
 */
import type { ChunkKind } from '../types';

interface LanguageInfo {
  readonly id: string;
  /** `tree-sitter-<grammar>.wasm` in @vscode/tree-sitter-wasm; undefined → line windows. */
  readonly grammar?: string;
}

const BY_EXTENSION: Record<string, LanguageInfo> = {};
function register(id: string, grammar: string | undefined, extensions: string[]): void {
  for (const ext of extensions) BY_EXTENSION[ext] = { id, grammar };
}

register('typescript', 'typescript', ['.ts', '.mts', '.cts']);
register('typescriptreact', 'tsx', ['.tsx']);
register('javascript', 'javascript', ['.js', '.mjs', '.cjs']);
register('javascriptreact', 'javascript', ['.jsx']); // the JS grammar parses JSX
register('python', 'python', ['.py', '.pyi', '.pyw']);
register('go', 'go', ['.go']);
register('java', 'java', ['.java']);
register('rust', 'rust', ['.rs']);
register('csharp', 'c-sharp', ['.cs']);
// No C grammar is shipped; the C++ grammar parses C well (a superset for chunking purposes). The
// npm tree-sitter-c 0.24.1 wasm was measured in this runtime on 18 MB of /usr/include headers:
// 1.2-1.9x the C++ grammar's parse CPU, with more files in error (632 vs 588 of 1,500), so it
// would cost speed, not save it.
register('c', 'cpp', ['.c', '.h']);
register('cpp', 'cpp', ['.cpp', '.cc', '.cxx', '.c++', '.hpp', '.hh', '.hxx', '.h++', '.ino']);
register('ruby', 'ruby', ['.rb', '.rake', '.gemspec']);
register('php', 'php', ['.php', '.phtml']);
register('shellscript', 'bash', ['.sh', '.bash', '.zsh', '.ksh']);
register('css', 'css', ['.css']);
register('markdown', undefined, ['.md', '.markdown', '.mdx']);
register('plaintext', undefined, ['.txt', '.text']);
register('restructuredtext', undefined, ['.rst']);
register('asciidoc', undefined, ['.adoc', '.asciidoc']);
register('scss', undefined, ['.scss']);
register('less', undefined, ['.less']);
register('html', undefined, ['.html', '.htm']);
register('xml', undefined, ['.xml', '.xsd', '.svg']);
register('json', undefined, ['.json', '.jsonc', '.json5']);
register('yaml', undefined, ['.yaml', '.yml']);
register('toml', undefined, ['.toml']);
register('ini', undefined, ['.ini', '.cfg', '.conf']);
register('sql', undefined, ['.sql']);
register('kotlin', undefined, ['.kt', '.kts']);
register('swift', undefined, ['.swift']);
register('scala', undefined, ['.scala', '.sc']);
register('lua', undefined, ['.lua']);
register('perl', undefined, ['.pl', '.pm']);
register('r', undefined, ['.r']);
register('dart', undefined, ['.dart']);
register('vue', undefined, ['.vue']);
register('svelte', undefined, ['.svelte']);
register('powershell', undefined, ['.ps1', '.psm1']);
register('haskell', undefined, ['.hs']);
register('elixir', undefined, ['.ex', '.exs']);
register('clojure', undefined, ['.clj', '.cljs', '.edn']);
register('fsharp', undefined, ['.fs', '.fsx']);
register('objective-c', undefined, ['.m', '.mm']);
register('zig', undefined, ['.zig']);
register('proto3', undefined, ['.proto']);
register('graphql', undefined, ['.graphql', '.gql']);
register('tex', undefined, ['.tex']);

const BY_FILE_NAME: Record<string, LanguageInfo> = {
  dockerfile: { id: 'dockerfile' },
  makefile: { id: 'makefile' },
  gnumakefile: { id: 'makefile' },
  rakefile: { id: 'ruby', grammar: 'ruby' },
  gemfile: { id: 'ruby', grammar: 'ruby' },
  'cmakelists.txt': { id: 'cmake' },
};

const DOC_LANGUAGES: ReadonlySet<string> = new Set(['markdown', 'plaintext', 'restructuredtext', 'asciidoc']);
const HASH_COMMENT_LANGUAGES: ReadonlySet<string> = new Set([
  'python', 'ruby', 'shellscript', 'perl', 'r', 'yaml', 'toml', 'dockerfile', 'makefile', 'powershell', 'elixir', 'cmake', 'ini',
]);

function infoFor(path: string): LanguageInfo {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const byName = BY_FILE_NAME[base];
  if (byName) return byName;
  const dot = base.lastIndexOf('.');
  if (dot > 0) {
    const byExt = BY_EXTENSION[base.slice(dot)];
    if (byExt) return byExt;
  }
  // Unknown or no extension (LICENSE, NOTES, foo.cfg.bak): treat as prose.
  return { id: 'plaintext' };
}

/** Language id of a (POSIX) path, by file name and extension; `plaintext` when unknown. */
export function languageForPath(path: string): string {
  return infoFor(path).id;
}

/** The tree-sitter grammar for a path, if one is shipped. */
export function grammarForPath(path: string): string | undefined {
  return infoFor(path).grammar;
}

export function kindForLanguage(language: string): ChunkKind {
  return DOC_LANGUAGES.has(language) ? 'doc' : 'code';
}

/** The line-comment marker used in a code chunk's embed header. */
export function commentMarker(language: string): string {
  if (HASH_COMMENT_LANGUAGES.has(language)) return '#';
  if (language === 'sql' || language === 'lua' || language === 'haskell') return '--';
  return '//';
}
