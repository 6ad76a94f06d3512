// The README shown on the extension's page inside VS Code (the .vsix's readme.md), made from
// README.md at build time. vsce accepts a relative link or image in a packaged README only when it
// can rewrite it to a GitHub/GitLab URL, and this project has no public repository to name; an
// invented URL would be a broken link. So the packaged copy keeps every word of README.md and
// turns each relative link into its text plus the repository path, and each relative image into
// its caption (the screenshots stay in docs/screenshots/ of the source tree). Absolute links stay.
import fs from 'node:fs';
import path from 'node:path';

const MARKDOWN_LINK = /(!?)\[([^\][]*)\]\(([^)\s]+)\)/g;
const isRelative = (target) => !/^[a-z][\w+.-]*:/i.test(target) && !target.startsWith('#');

/** README.md text → the packaged README's text (no relative link or image left). */
export function toVsixReadme(markdown) {
  return markdown.replace(MARKDOWN_LINK, (all, bang, text, target) => {
    if (!isRelative(target)) return all;
    if (bang) return `*${text || path.posix.basename(target)}*`;
    return text === target || text === `\`${target}\`` ? `\`${target}\`` : `${text} (\`${target}\`)`;
  });
}

/** Writes `outFile` from `<root>/README.md`; returns the path written. */
export function writeVsixReadme(root, outFile) {
  const out = path.join(root, outFile);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, toVsixReadme(fs.readFileSync(path.join(root, 'README.md'), 'utf8')));
  return out;
}
