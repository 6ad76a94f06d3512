/**
 * Applying tags: to a Markdown note's YAML frontmatter (`tags:`), or as a comment line for code.
 *
 * Frontmatter edits are surgical text insertions at offsets the `yaml` parser reports, never a
 * re-serialisation of the whole YAML: comments, key order, quoting, CRLF and a BOM all survive
 * byte for byte. Only the `tags` value itself may be rewritten, and only when it is a plain string
 * (`tags: a, b`) that has to become a list.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { lineEndingOf, normalizeTag, parseFrontmatter, tagsFromValue } from './frontmatter';

export class FrontmatterEditError extends Error {
  override readonly name = 'FrontmatterEditError';
}

const BOM = '\uFEFF';

/**
 * Adds `tags` to the note's frontmatter `tags:` (creating the frontmatter or the key when absent).
 * Tags already present (case-insensitive, `#` prefix ignored) are not added again; when nothing is
 * new the text is returned unchanged. Throws FrontmatterEditError when the frontmatter is not valid
 * YAML or not a block mapping, rather than risk corrupting it.
 */
export function addTagsToFrontmatter(markdown: string, tags: readonly string[]): string {
  const wanted = uniqueTags(tags.map(normalizeTag));
  if (!wanted.length) return markdown;
  const parsed = parseFrontmatter(markdown);
  const eol = lineEndingOf(markdown);
  if (!parsed) {
    const bom = markdown.startsWith(BOM) ? BOM : '';
    const block = ['---', 'tags:', ...wanted.map((t) => `  - ${yamlScalar(t)}`), '---', ''].join(eol);
    return bom + block + markdown.slice(bom.length);
  }
  const { block, doc } = parsed;
  if (doc.errors.length) throw new FrontmatterEditError(`Frontmatter is not valid YAML: ${doc.errors[0].message}`);
  const insertAt = (rel: number, text: string) =>
    markdown.slice(0, block.bodyStart + rel) + text + markdown.slice(block.bodyStart + rel);
  const replace = (from: number, to: number, text: string) =>
    markdown.slice(0, block.bodyStart + from) + text + markdown.slice(block.bodyStart + to);
  const newKeyLines = (tagsToAdd: readonly string[]) => ['tags:', ...tagsToAdd.map((t) => `  - ${yamlScalar(t)}`)].map((l) => l + eol).join('');

  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    // Empty frontmatter (`---` directly followed by `---`, or only comments): add the key at its end.
    return insertAt(block.body.length, newKeyLines(wanted));
  }
  if (!isMap(contents) || contents.flow) throw new FrontmatterEditError('Frontmatter is not a block mapping; tags were not added.');
  const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === 'tags');
  if (!pair) {
    // Appended as the last key, before the closing fence. The body ends with a line break unless
    // it ends with a comment line lacking one, which the fence rules out.
    const needsBreak = block.body.length > 0 && !block.body.endsWith('\n');
    return insertAt(block.body.length, (needsBreak ? eol : '') + newKeyLines(wanted));
  }
  const value = pair.value as Node | null;
  const existing = new Set(tagsFromValue(value ? value.toJSON() : null).map((t) => t.toLowerCase()));
  const toAdd = wanted.filter((t) => !existing.has(t.toLowerCase()));
  if (!toAdd.length) return markdown;

  if (isSeq(value) && value.flow) {
    const range = value.range!;
    const last = value.items[value.items.length - 1] as Node | undefined;
    if (last?.range) return insertAt(last.range[1], toAdd.map((t) => `, ${yamlScalar(t)}`).join(''));
    const open = block.body.indexOf('[', range[0]);
    return insertAt(open + 1, toAdd.map(yamlScalar).join(', '));
  }
  if (isSeq(value)) {
    const range = value.range!;
    const indent = range[0] - (block.body.lastIndexOf('\n', range[0] - 1) + 1);
    const last = value.items[value.items.length - 1] as Node | undefined;
    const lastEnd = last?.range ? last.range[1] : range[1];
    let lineEnd = block.body.indexOf('\n', lastEnd);
    if (lineEnd < 0) lineEnd = block.body.length;
    else if (block.body[lineEnd - 1] === '\r') lineEnd--;
    return insertAt(lineEnd, toAdd.map((t) => `${eol}${' '.repeat(indent)}- ${yamlScalar(t)}`).join(''));
  }
  if (value === null || isScalar(value)) {
    const all = [...tagsFromValue(value?.toJSON() ?? null), ...toAdd];
    const flow = `[${all.map(yamlScalar).join(', ')}]`;
    if (!value?.range || value.range[0] === value.range[1]) {
      // `tags:` with no value: the list goes right after the colon.
      const colon = block.body.indexOf(':', (pair.key as Node).range![1]);
      return insertAt(colon + 1, ` ${flow}`);
    }
    return replace(value.range[0], value.range[1], flow);
  }
  throw new FrontmatterEditError('Frontmatter `tags` is neither a list nor a string; tags were not added.');
}

const COMMENT_PREFIX: Readonly<Record<string, readonly [string, string]>> = (() => {
  const table: Record<string, readonly [string, string]> = {};
  const set = (ids: string, open: string, close = '') => ids.split(' ').forEach((id) => (table[id] = [open, close]));
  set('typescript typescriptreact javascript javascriptreact java c cpp csharp go rust swift kotlin scala php dart groovy objective-c objective-cpp fsharp jsonc zig', '//');
  set('python shellscript bash sh zsh fish ruby perl r yaml toml dockerfile makefile powershell elixir julia nim coffeescript properties ini cmake graphql terraform hcl', '#');
  set('sql lua haskell elm ada vhdl', '--');
  set('clojure lisp scheme racket asm', ';');
  set('latex tex matlab erlang prolog', '%');
  set('html xml markdown vue svelte astro razor', '<!--', ' -->');
  set('css scss less', '/*', ' */');
  set('vb', "'");
  set('bat', 'REM');
  set('vim', '"');
  return table;
})();

/** A comment line carrying tags in the file's language: `// tags: a, b`, `# tags: a, b`, `<!-- tags: a, b -->`. */
export function commentTagLine(languageId: string, tags: readonly string[]): string {
  const [open, close] = COMMENT_PREFIX[languageId.toLowerCase()] ?? ['//', ''];
  return `${open} tags: ${uniqueTags(tags.map(normalizeTag)).join(', ')}${close}`;
}

function uniqueTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  return tags.filter((t) => t && !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()));
}

/** Plain when unambiguous in both block and flow context; otherwise double-quoted (JSON is valid YAML). */
function yamlScalar(tag: string): string {
  const plain = /^[\p{L}\p{N}_][\p{L}\p{N}_\-/. ]*$/u.test(tag) && !/ $/.test(tag);
  const ambiguous = /^(?:true|false|yes|no|on|off|null|~|[-+]?(?:\d[\d_]*)?(?:\.\d*)?(?:e[-+]?\d+)?|0x[0-9a-f]+|\.inf|\.nan)$/i.test(tag);
  return plain && !ambiguous ? tag : JSON.stringify(tag);
}
