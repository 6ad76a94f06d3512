/**
 * Where Classify Selection's labels come from, merged: the `semanticWorkspace.tags` setting, a
 * label file at the folder root (`.semantic-labels` or `semantic-labels.txt`, parsed by the core's
 * `parseLabelsFile`), and the tags the notes' frontmatter already uses. Pure, so it is unit-tested.
 */
import type { LabelSpec } from '../core/analysis';

/** Label files looked for at each folder root, in this order (the first that exists is read). */
export const LABEL_FILES = ['.semantic-labels', 'semantic-labels.txt'] as const;

export type LabelSource = 'setting' | 'file' | 'frontmatter';

export interface SourcedLabel extends LabelSpec {
  readonly source: LabelSource;
}

/**
 * De-duplicates case-insensitively (and ignoring a leading `#`): the first spelling wins, in the
 * order setting → file → frontmatter, because the setting is what the user wrote on purpose. A
 * description is kept from the first source that has one, so a bare frontmatter tag still gets the
 * file's description when both name it.
 */
export function mergeLabels(sources: Readonly<Record<LabelSource, readonly LabelSpec[]>>): SourcedLabel[] {
  const out = new Map<string, { label: string; description?: string; source: LabelSource }>();
  for (const source of ['setting', 'file', 'frontmatter'] as const) {
    for (const spec of sources[source]) {
      const label = spec.label.trim().replace(/^#+(?=\S)/, '');
      if (!label) continue;
      const key = label.toLowerCase();
      const description = spec.description?.trim() || undefined;
      const seen = out.get(key);
      if (!seen) out.set(key, { label, source, ...(description ? { description } : {}) });
      else if (!seen.description && description) seen.description = description;
    }
  }
  return [...out.values()];
}

/** How many labels came from each source (shown under the Tags section, and in the QuickPick). */
export function countSources(labels: readonly SourcedLabel[]): Record<LabelSource, number> {
  const counts: Record<LabelSource, number> = { setting: 0, file: 0, frontmatter: 0 };
  for (const l of labels) counts[l.source]++;
  return counts;
}
