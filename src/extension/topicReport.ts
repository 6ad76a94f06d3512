/**
 * The Markdown topic report (Export Topic Report) and the tag a topic suggests. Pure: the caller
 * passes the localized headings, so the report speaks the UI's language and is unit-tested here.
 */
import type { TopicsView } from '../protocol/messages';

export interface ReportStrings {
  /** `{0}` = workspace name. */
  readonly title: string;
  /** `{0}` = topics, `{1}` = notes. */
  readonly summary: string;
  /** Shown with the offline provider: topics come from workspace-trained vectors. */
  readonly offlineNote: string;
  readonly keywords: string;
  readonly representative: string;
  /** `{0}` = number of notes. */
  readonly notes: string;
  /** Column heading of the members table. */
  readonly note: string;
  readonly outliers: string;
  readonly outliersNote: string;
  readonly nearest: string;
  readonly score: string;
}

const fill = (template: string, ...args: (string | number)[]): string =>
  args.reduce<string>((s, a, i) => s.split(`{${i}}`).join(String(a)), template);

/** Markdown text that is shown literally: `*`, `_`, `[`… in a path or keyword must not format. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]{}()#+!|<>~])/g, '\\$1');
}

/** A relative link that survives spaces and parentheses in paths (CommonMark `<…>` destination). */
function link(path: string): string {
  return `[${escapeMarkdown(path)}](<${path.replace(/[<>]/g, encodeURIComponent)}>)`;
}

export function renderTopicReport(view: TopicsView, workspace: string, s: ReportStrings): string {
  const lines: string[] = [`# ${escapeMarkdown(fill(s.title, workspace))}`, '', fill(s.summary, view.topics.length, view.notes), ''];
  if (view.offline) lines.push(`> ${s.offlineNote}`, '');
  for (const t of view.topics) {
    lines.push(`## ${escapeMarkdown(t.name)} (${fill(s.notes, t.size)})`, '');
    lines.push(`- **${s.keywords}:** ${t.terms.map(escapeMarkdown).join(', ')}`);
    lines.push(`- **${s.representative}:** ${link(t.representative)}`, '');
    lines.push(`| # | ${s.note} | ${s.score} |`, '|---|---|---|');
    t.members.forEach((m, i) => lines.push(`| ${i + 1} | ${link(m.title).replace(/\|/g, '\\|')} | ${m.score.toFixed(3)} |`));
    lines.push('');
  }
  lines.push(`## ${s.outliers} (${view.outliers.length})`, '', s.outliersNote, '');
  for (const o of view.outliers) {
    const nearest = o.nearest ? ` — ${s.nearest}: ${escapeMarkdown(o.nearest)}` : '';
    lines.push(`- ${link(o.title)} (${s.score} ${o.score.toFixed(3)})${nearest}`);
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

/**
 * A frontmatter tag for a topic: its label's keywords joined by `-` (`index · search` →
 * `index-search`), since tags with spaces or `·` are awkward in Obsidian and YAML. The user can
 * edit it before anything is written.
 */
export function topicTagName(label: string): string {
  return label
    .split(/\s*·\s*/)
    .map((w) => w.trim().replace(/[\s#,，、:：]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter(Boolean)
    .join('-');
}
