/**
 * What is never indexed. Two lists, with different strength:
 * - DEFAULT excludes: dependencies, build output, lockfiles, binaries and media. A `.semanticignore`
 *   `!pattern` may bring one back (e.g. `!vendor/`): users own that decision.
 * - SECURITY excludes: keys, certificates, credentials, `.env*`. Never read, whatever any ignore
 *   file or option says: a chunk's text may leave the machine (remote embedders), so a secret
 *   file must never become a chunk.
 * All patterns are basename patterns (no inner slash), so they are tested against a file name or
 * `dirname/` alone: the same meaning as gitignore's "matches at any depth". They are precompiled
 * (`compileNameTest`: Set lookups and one RegExp) because every file of a walk is tested against
 * both lists; the `ignore` package would run ~150 regexes per name and cache every name.
 */
import ignore from 'ignore';

export const DEFAULT_EXCLUDE_PATTERNS: readonly string[] = [
  // dependencies, VCS metadata, build output, caches
  'node_modules/', 'bower_components/', 'jspm_packages/', '.git/', '.hg/', '.svn/', '.bzr/',
  'dist/', 'build/', 'out/', 'vendor/', 'target/', '__pycache__/', '.venv/', 'venv/', '.tox/', '.nox/',
  '.mypy_cache/', '.pytest_cache/', '.ruff_cache/', '.next/', '.nuxt/', '.svelte-kit/', '.parcel-cache/',
  '.turbo/', '.cache/', '.vscode/', 'coverage/', '.nyc_output/', '.gradle/', '.idea/', '.vs/', '.terraform/',
  '.serverless/', '.eggs/', '*.egg-info/', '.dart_tool/', 'Pods/', 'DerivedData/', '.vscode-test/',
  // lockfiles: long, machine-written, no meaning to search
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'Cargo.lock',
  'poetry.lock', 'Pipfile.lock', 'uv.lock', 'composer.lock', 'Gemfile.lock', 'go.sum', 'packages.lock.json',
  'mix.lock', 'pubspec.lock', 'flake.lock',
  // tool configuration made of path patterns: it matches every query about paths and answers none
  '.gitignore', '.gitattributes', '.semanticignore', '.dockerignore', '.npmignore', '.eslintignore',
  '.prettierignore', '.vscodeignore', '.gitmodules', '.editorconfig',
  // minified and generated
  '*.min.*', '*.map',
  // images
  '*.png', '*.jpg', '*.jpeg', '*.gif', '*.bmp', '*.ico', '*.icns', '*.webp', '*.tif', '*.tiff', '*.psd',
  '*.heic', '*.avif', '*.svg',
  // archives and packages
  '*.zip', '*.tar', '*.gz', '*.tgz', '*.bz2', '*.xz', '*.7z', '*.rar', '*.zst', '*.jar', '*.war', '*.ear',
  '*.whl', '*.deb', '*.rpm', '*.dmg', '*.iso', '*.apk', '*.ipa', '*.nupkg', '*.vsix', '*.crx',
  // media
  '*.mp3', '*.mp4', '*.wav', '*.ogg', '*.flac', '*.aac', '*.m4a', '*.mov', '*.avi', '*.mkv', '*.webm',
  '*.wmv', '*.flv',
  // fonts
  '*.woff', '*.woff2', '*.ttf', '*.otf', '*.eot',
  // compiled objects and binaries
  '*.o', '*.obj', '*.a', '*.lib', '*.so', '*.so.*', '*.dylib', '*.dll', '*.exe', '*.class', '*.pyc',
  '*.pyo', '*.pyd', '*.wasm', '*.node', '*.bin', '*.pdb', '*.beam', '*.dSYM/',
  // office documents, databases, data and model files
  '*.pdf', '*.doc', '*.docx', '*.xls', '*.xlsx', '*.ppt', '*.pptx', '*.odt', '*.sqlite', '*.sqlite3',
  '*.db', '*.parquet', '*.pkl', '*.npy', '*.npz', '*.pt', '*.onnx', '*.safetensors', '*.h5',
  '.DS_Store', 'Thumbs.db',
];

export const SECURITY_PATTERNS: readonly string[] = [
  '.env', '.env*', '*.pem', '*.key', '*.crt', '*.cer', '*.p8', '*.p12', '*.pfx', '*.kdbx', '*.keystore', '*.jks',
  '*.keychain', '*.keychain-db', '*.ovpn', '*.tfstate', '*.tfstate.*',
  'id_rsa*', 'id_dsa*', 'id_ecdsa*', 'id_ed25519*',
  'credentials*', 'secrets.json', 'secrets.yaml', 'secrets.yml', 'secrets.toml',
  '.npmrc', '.yarnrc.yml', '.netrc', '_netrc', '.pypirc', '.pgpass', '.htpasswd', '.git-credentials', '.dockercfg',
  'secrets/', '.aws/', '.ssh/', '.gnupg/', '.docker/', '.azure/', '.kube/',
];

/** Tests a file name, or a directory name given as `name/`. */
export type NameTest = (nameOrDirSlash: string) => boolean;

/** Pattern bodies the precompiled matcher handles itself: literal ASCII names with `*` wildcards. */
const SIMPLE_BODY = /^[A-Za-z0-9._-]*(?:\*[A-Za-z0-9._-]+)*\*?$/;
const UPPER = /[A-Z]/;

/**
 * Lower-cases ASCII letters only. The `ignore` package matches with a non-unicode `i` regex, under
 * which no non-ASCII character ever equals an ASCII one (the Kelvin sign is not `k`), whereas
 * `String.prototype.toLowerCase` would fold some of them into ASCII.
 */
function asciiLower(s: string): string {
  return UPPER.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

/**
 * Compiles basename patterns (gitignore syntax, no inner slash) into a test that answers exactly as
 * `ignore({ ignorecase }).add(patterns).ignores(nameOrDirSlash)` does, without running a regex per
 * pattern: exact names and `*.ext` suffixes become Set lookups, the remaining `*` globs one combined
 * RegExp. A pattern outside that simple form (`?`, `[…]`, escapes, `!` negations) is left to an
 * `ignore` matcher, so the answer never depends on this fast path. Nothing is cached per name:
 * memory does not grow with the number of files tested.
 */
export function compileNameTest(patterns: readonly string[], ignorecase = true): NameTest {
  // With a negation the order of the patterns matters: leave the whole list to `ignore`.
  if (patterns.some((p) => p.startsWith('!'))) {
    const all = ignore({ ignorecase }).add(patterns as string[]);
    return (name) => all.ignores(name);
  }
  const fold = ignorecase ? asciiLower : (s: string): string => s;
  const exactAny = new Set<string>();
  const exactDir = new Set<string>();
  const extAny = new Set<string>(); // '.png' for `*.png`
  const extDir = new Set<string>();
  const globs: string[] = [];
  const rest: string[] = [];
  for (const pattern of patterns) {
    const dirOnly = pattern.endsWith('/');
    const body = fold(dirOnly ? pattern.slice(0, -1) : pattern);
    if (!body || !SIMPLE_BODY.test(body) || !/[^*]/.test(body)) {
      rest.push(pattern);
    } else if (!body.includes('*')) {
      (dirOnly ? exactDir : exactAny).add(body);
    } else if (body.startsWith('*.') && body.lastIndexOf('*') === 0 && body.lastIndexOf('.') === 1) {
      (dirOnly ? extDir : extAny).add(body.slice(1));
    } else {
      const source = body.split('*').map((lit) => lit.replace(/[.]/g, '\\.')).join('[^/]*');
      globs.push(dirOnly ? `${source}/` : `${source}/?`);
    }
  }
  const combined = globs.length ? new RegExp(`^(?:${globs.join('|')})$`) : undefined;
  const fallback = rest.length ? ignore({ ignorecase }).add(rest) : undefined;
  return (key) => {
    const lower = fold(key);
    const isDir = lower.charCodeAt(lower.length - 1) === 0x2f; // '/'
    const name = isDir ? lower.slice(0, -1) : lower;
    if (exactAny.has(name) || (isDir && exactDir.has(name))) return true;
    const dot = name.lastIndexOf('.');
    if (dot >= 0) {
      const ext = name.slice(dot);
      if (extAny.has(ext) || (isDir && extDir.has(ext))) return true;
    }
    if (combined?.test(lower)) return true;
    return fallback ? fallback.ignores(key) : false;
  };
}

let defaults: NameTest | undefined;
let security: NameTest | undefined;

export const isDefaultExcluded: NameTest = (name) => (defaults ??= compileNameTest(DEFAULT_EXCLUDE_PATTERNS))(name);
export const isSecurityExcluded: NameTest = (name) => (security ??= compileNameTest(SECURITY_PATTERNS))(name);

/** True when any segment of a relative POSIX path (a symlink's target) is a security exclude. */
export function pathHasSecuritySegment(relPath: string): boolean {
  const segments = relPath.split('/').filter(Boolean);
  return segments.some((seg, i) => isSecurityExcluded(i === segments.length - 1 ? seg : `${seg}/`));
}
