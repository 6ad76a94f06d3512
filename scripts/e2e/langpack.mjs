// Registers an installed language-pack extension in a code-server user-data-dir, i.e. writes the
// `languagepacks.json` that VS Code's server reads to resolve a display language:
//   node scripts/e2e/langpack.mjs --ud <user-data-dir> --ext <installed extension folder>
// Why: code-server 4.139 takes the locale from `--locale`, then `<ud>/User/argv.json` "locale",
// then a cookie, then Accept-Language; for anything but English it then looks the locale up in
// `<ud>/languagepacks.json` and falls back to English (and so does `vscode.env.language`) when no
// pack is listed. That file is written by the server's language-pack service when a pack is
// installed from the running workbench; `code-server --install-extension` does not write it. The
// entry below is what that service writes (vs/platform/languagePacks/node/languagePacks.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const arg = (n) => { const i = process.argv.indexOf(n); return i > 0 ? process.argv[i + 1] : undefined; };
const ud = arg('--ud');
const ext = arg('--ext');
if (!ud || !ext) { console.error('usage: langpack.mjs --ud <user-data-dir> --ext <extension folder>'); process.exit(2); }

const pkg = JSON.parse(fs.readFileSync(path.join(ext, 'package.json'), 'utf8'));
const id = `${pkg.publisher}.${pkg.name}`.toLowerCase();
const file = path.join(ud, 'languagepacks.json');
const packs = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
for (const loc of pkg.contributes?.localizations ?? []) {
  const translations = Object.fromEntries(loc.translations.map((t) => [t.id, path.join(ext, t.path)]));
  for (const p of Object.values(translations)) if (!fs.existsSync(p)) throw new Error(`missing translations file ${p}`);
  packs[loc.languageId] = {
    hash: crypto.createHash('md5').update(id).update(pkg.version).digest('hex'),
    extensions: [{ extensionIdentifier: { id }, version: pkg.version }],
    translations,
    label: loc.localizedLanguageName ?? loc.languageName,
  };
}
fs.mkdirSync(ud, { recursive: true });
fs.writeFileSync(file, JSON.stringify(packs));
console.log(`registered ${Object.keys(packs).join(', ')} from ${id} in ${file}`);
