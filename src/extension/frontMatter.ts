/**
 * Merges tags into a Markdown note's YAML front matter (`tags: [a, b]`), creating the block when
 * there is none. Pure text in, text out: the caller applies it as one undoable edit.
 */
export function mergeFrontMatterTags(text: string, labels: readonly string[]): string {
  const quote = (l: string): string => (/^[\w\u00c0-\uffff][\w\u00c0-\uffff -]*$/.test(l) ? l : JSON.stringify(l));
  const m = /^---\r?\n([\s\S]*?)\r?\n---(\r?\n|$)/.exec(text);
  if (!m) return `---\ntags: [${labels.map(quote).join(', ')}]\n---\n\n${text}`;
  const body = m[1]!;
  const block = /^tags:[ \t]*\n((?:[ \t]+-[ \t].*(?:\n|$))+)/m.exec(body);
  if (block) {
    // A block list (`tags:\n  - a`): append the new items in the same style.
    const have = new Set(block[1]!.split('\n').map((l) => l.replace(/^\s*-\s*/, '').trim().replace(/^["']|["']$/g, '')));
    const add = labels.filter((l) => !have.has(l)).map((l) => `  - ${quote(l)}\n`).join('');
    const newBody = body.replace(block[0], block[0].endsWith('\n') ? block[0] + add : `${block[0]}\n${add.trimEnd()}`);
    return `---\n${newBody}\n---${m[2]}${text.slice(m[0].length)}`;
  }
  const line = /^tags:\s*\[(.*)\]\s*$/m.exec(body);
  const existing = line ? line[1]!.split(',').map((s) => s.trim().replace(/^["']|["']$/g, '')).filter(Boolean) : [];
  const all = [...new Set([...existing, ...labels])];
  const tagsLine = `tags: [${all.map(quote).join(', ')}]`;
  const newBody = line ? body.replace(line[0], tagsLine) : `${body}\n${tagsLine}`;
  return `---\n${newBody}\n---${m[2]}${text.slice(m[0].length)}`;
}
