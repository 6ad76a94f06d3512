/** Discovery: which files of a folder to index, and reading them as text. */
export { DEFAULT_MAX_FILE_BYTES, SEMANTICIGNORE, discoverFiles, type DiscoveredFile, type Discovery, type DiscoveryOptions } from './discover';
export { DEFAULT_EXCLUDE_PATTERNS, SECURITY_PATTERNS } from './excludes';
export { readTextFile, type ReadResult } from './readText';
