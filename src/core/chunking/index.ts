/** Chunking: file text → chunks (syntax-aware for code, sections for Markdown, windows otherwise). */
export { CHUNKER_VERSION, DEFAULT_MAX_TOKENS, MAX_TOKENS_CAP, chunkFile, type ChunkOptions } from './chunker';
export { estimateTokens } from './tokens';
export { languageForPath, kindForLanguage } from './languages';
export { setCodeRetention, setWasmDirectory } from './treeSitter';
