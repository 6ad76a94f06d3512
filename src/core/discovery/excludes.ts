/**
 * What is never indexed. Two lists, with different strength:
 * - DEFAULT excludes: dependencies, build output, lockfiles, binaries and media. A `.semanticignore`
 *   `!pattern` may bring one back (e.g. `!vendor/`): users own that decision.
 * - SECURITY excludes: keys, certificates, credentials, `.env*`. Never read, whatever any ignore
 *   file or option says: a chunk's text may leave the machine (remote embedders), so a secret
 *   file must never become a chunk.
 * All patterns are basename patterns (no inner slash), so they are tested against a file name or
 * `dirname/` alone: the same meaning as gitignore's "matches at any depth", and the `ignore`
 * package's per-path cache stays bounded by distinct names instead of growing per file.
 */
import ignore, { type Ignore } from 'ignore';

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

function matcher(patterns: readonly string[]): Ignore {
  return ignore({ ignorecase: true }).add(patterns as string[]);
}

/** Tests a file name, or a directory name given as `name/`. */
export type NameTest = (nameOrDirSlash: string) => boolean;

let defaults: Ignore | undefined;
let security: Ignore | undefined;

export const isDefaultExcluded: NameTest = (name) => (defaults ??= matcher(DEFAULT_EXCLUDE_PATTERNS)).ignores(name);
export const isSecurityExcluded: NameTest = (name) => (security ??= matcher(SECURITY_PATTERNS)).ignores(name);

/** True when any segment of a relative POSIX path (a symlink's target) is a security exclude. */
export function pathHasSecuritySegment(relPath: string): boolean {
  const segments = relPath.split('/').filter(Boolean);
  return segments.some((seg, i) => isSecurityExcluded(i === segments.length - 1 ? seg : `${seg}/`));
}
