/** The on-disk index: store (manifest + binary data files, atomic commit), indexer, loader. See README.md. */
export { runIndex, type RunIndexParams, type RunIndexReport } from './indexer';
export { openIndex, openIndexInSlices, readIndexInfo, clearIndex, type OpenIndexParams, type OpenIndexResult, type OpenedIndex, type IndexedFile, type IndexInfo } from './open';
export { IndexStore, spaceId, DEFAULT_KEEP_SPACES } from './store';
export type { Manifest, SpaceFingerprint } from './manifest';
export { IndexCorruptError } from './binio';
export { readCoverage, COVERAGE_NAME } from './coverage';
export type { SliceStats } from '../slices';
