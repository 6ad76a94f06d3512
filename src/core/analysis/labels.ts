/**
 * Where zero-shot labels come from: a command-line/settings list, a taxonomy file, or the tags the
 * workspace's notes already use. Chinese input is first-class: full-width commas and colons work.
 */
import { parseFrontmatter, tagsFromValue } from './frontmatter';
import { isMap } from 'yaml';

export interface LabelSpec {
  readonly label: string;
  /** Helps the embedding understand a terse label (`bug: something is broken`). */
  readonly description?: string;
}

/** `"bug,feature，文档、测试"` → four labels. Separators: `,` `，` (full-width) and `、`. Duplicates dropped. */
export function parseLabelsArg(arg: string): LabelSpec[] {
  return uniqueLabels(arg.split(/[,，、]/).map((label) => ({ label: label.trim() })));
}

/**
 * A taxonomy file: one label per line, optionally `label: description` (ASCII `:` or full-width
 * `：`, split at the first one). Blank lines and comment lines (`# …` with a space, `//`) are
 * skipped; a leading list bullet (`- `, `* `) is allowed so a Markdown list works as is.
 */
export function parseLabelsFile(text: string): LabelSpec[] {
  const out: LabelSpec[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || /^#(\s|$)/.test(line) || line.startsWith('//')) continue;
    line = line.replace(/^[-*+]\s+/, '');
    const m = /^([^:：]+)[:：](.*)$/.exec(line);
    const label = (m ? m[1] : line).trim().replace(/^#(?=\S)/, '');
    const description = m ? m[2].trim() : '';
    if (label) out.push(description ? { label, description } : { label });
  }
  return uniqueLabels(out);
}

/**
 * Tags already used in the notes' frontmatter (`tags:` as a list or a comma/space-separated string),
 * most used first, then alphabetically. Spelling of the first occurrence wins; comparison ignores case.
 */
export function collectFrontmatterTags(markdownTexts: Iterable<string>): string[] {
  const counts = new Map<string, { tag: string; count: number }>();
  for (const text of markdownTexts) {
    const parsed = parseFrontmatter(text);
    if (!parsed || parsed.doc.errors.length || !isMap(parsed.doc.contents)) continue;
    const data = parsed.doc.toJSON() as Record<string, unknown>;
    const tags = new Set(tagsFromValue(data.tags ?? data.tag));
    for (const tag of tags) {
      const key = tag.toLowerCase();
      const entry = counts.get(key);
      if (entry) entry.count++;
      else counts.set(key, { tag, count: 1 });
    }
  }
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
    .map((e) => e.tag);
}

function uniqueLabels(labels: readonly LabelSpec[]): LabelSpec[] {
  const seen = new Set<string>();
  return labels.filter((l) => l.label && !seen.has(l.label.toLowerCase()) && seen.add(l.label.toLowerCase()));
}
