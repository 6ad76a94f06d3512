/**
 * Analysis over an index's vectors: topics of notes, zero-shot tags, related files, outliers and
 * near-duplicates. Pure functions over `AnalysisInput`; the engine, CLI and extension wire them up.
 */
export { clusterNotes, type ClusterNotesOptions, type NoteClustering, type NotePoint, type OutlierNote, type Topic } from './clusterNotes';
export {
  classifyText, keywordOverlap, labelCacheKey, labelDocument, OFFLINE_THRESHOLD, REMOTE_THRESHOLD,
  type Classification, type ClassificationMode, type ClassifyOptions, type EmbedAs, type EmbedFunction, type LabelScore,
} from './zeroShot';
export { collectFrontmatterTags, parseLabelsArg, parseLabelsFile, type LabelSpec } from './labels';
export { addTagsToFrontmatter, commentTagLine, FrontmatterEditError } from './tagEditing';
export { relatedFiles, type RecentFile, type RelatedFile, type RelatedOptions, type RelatedResult } from './related';
export { findOutliers, type OutlierFile, type OutlierGroupKind, type OutlierOptions, type OutliersResult } from './outliers';
export {
  findDuplicates, OFFLINE_DUPLICATE_THRESHOLD, REMOTE_DUPLICATE_THRESHOLD,
  type DuplicateOptions, type DuplicatePair, type DuplicatePlace, type DuplicateSpan, type DuplicatesResult,
} from './duplicates';
export { computeFileVectors, DEFAULT_NOTE_GLOBS, notesMatcher, type FileVectors } from './vectors';
