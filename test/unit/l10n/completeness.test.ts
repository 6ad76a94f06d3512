/**
 * Chinese is a first-class UI language: every contributed string goes through package.nls*.json,
 * every runtime message through `vscode.l10n.t` and l10n/bundle.l10n*.json, and each has a real
 * zh-cn translation. These tests fail on any gap, on unused bundle entries, and on user-facing
 * literals that bypass l10n.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { STRING_KEYS } from '../../../src/protocol/messages';
import { tempDir } from '../../support/tempDir';
import { hardCodedStrings, hasWords, l10nUses, readJson, readLiteral, sourceFiles } from './scan';

const nls = readJson('package.nls.json');
const nlsZh = readJson('package.nls.zh-cn.json');
const bundle = readJson('l10n/bundle.l10n.json');
const bundleZh = readJson('l10n/bundle.l10n.zh-cn.json');
const manifest = readJson<Record<string, unknown>>('package.json');
const uiSources = sourceFiles('src/extension', 'src/webview');

/**
 * nls keys whose zh-cn value may equal the English one: none today. (Product names inside a
 * longer string are fine anyway: `hasWords` ignores them.)
 */
const NLS_SAME_ALLOWED = new Set<string>();

/** Every `%key%` in a JSON value, with where it was found. */
function percentKeys(value: unknown, where = ''): { key: string; where: string }[] {
  if (typeof value === 'string') return [...value.matchAll(/^%([^%\s]+)%$/g)].map((m) => ({ key: m[1]!, where }));
  if (Array.isArray(value)) return value.flatMap((v, i) => percentKeys(v, `${where}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => percentKeys(v, where ? `${where}.${k}` : k));
  return [];
}

/** Human-readable fields of the manifest that must be `%key%` references, never literal text. */
function literalManifestText(value: unknown, where = ''): string[] {
  const textKeys = new Set(['title', 'description', 'markdownDescription', 'name', 'contextualTitle', 'enumDescriptions', 'displayName', 'category', 'label']);
  const out: string[] = [];
  const visit = (v: unknown, w: string, key: string): void => {
    if (typeof v === 'string') {
      // A language-model tool's `name` is its id (`semanticWorkspace_search`), not text for people.
      if (/languageModelTools\[\d+\]\.name$/.test(w)) return;
      if (textKeys.has(key) && !/^%[^%\s]+%$/.test(v) && hasWords(v)) out.push(`${w}: ${JSON.stringify(v)}`);
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${w}[${i}]`, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, w ? `${w}.${k}` : k, k);
  };
  visit(value, where, '');
  return out;
}

describe('contributed strings (package.nls)', () => {
  it('every package.nls.json key has a real zh-cn translation', () => {
    const problems = Object.entries(nls).flatMap(([k, en]) => {
      const zh = nlsZh[k];
      if (zh === undefined) return [`${k}: missing`];
      if (!zh.trim()) return [`${k}: empty`];
      if (zh === en && hasWords(en) && !NLS_SAME_ALLOWED.has(k)) return [`${k}: identical to English`];
      return [];
    });
    assert.deepEqual(problems, []);
  });

  it('package.nls.zh-cn.json has no keys the English file lacks', () => {
    assert.deepEqual(Object.keys(nlsZh).filter((k) => !(k in nls)), []);
  });

  it('every %key% used in package.json exists in package.nls.json, and every nls key is used', () => {
    const used = percentKeys(manifest);
    assert.ok(used.length > 50, `only ${used.length} %key% references found: is the scan broken?`);
    assert.deepEqual(used.filter((u) => !(u.key in nls)).map((u) => `${u.where}: %${u.key}%`), []);
    const usedKeys = new Set(used.map((u) => u.key));
    assert.deepEqual(Object.keys(nls).filter((k) => !usedKeys.has(k)), []);
  });

  it('commands, settings, views and the walkthrough carry no literal English', () => {
    const literal = literalManifestText({ displayName: manifest.displayName, description: manifest.description, contributes: manifest.contributes, capabilities: manifest.capabilities });
    assert.deepEqual(literal, []);
  });

  it('walkthrough media have a zh-cn version', () => {
    for (const [k, en] of Object.entries(nls).filter(([key]) => key.endsWith('.media'))) {
      assert.notEqual(nlsZh[k], en, `${k} points zh-cn readers at the English file`);
      assert.match(nlsZh[k]!, /\.zh-cn\.md$/);
    }
  });
});

describe('runtime strings (vscode.l10n.t + l10n bundles)', () => {
  const uses = l10nUses(uiSources);
  const messages = new Set(uses.flatMap((u) => (u.message === undefined ? [] : [u.message])));

  it('finds the messages (the scanner itself works)', () => {
    assert.ok(messages.size > 100, `only ${messages.size} messages found`);
    assert.ok(messages.has('Search code and notes…'), 'the webview strings (const t = vscode.l10n.t) are scanned');
  });

  it('every l10n.t call has a literal message (otherwise it cannot be checked or translated)', () => {
    assert.deepEqual(uses.filter((u) => u.message === undefined).map((u) => `${u.file}:${u.line}`), []);
  });

  it('every message is in l10n/bundle.l10n.json', () => {
    const missing = [...messages].filter((m) => !(m in bundle));
    assert.deepEqual(missing, []);
  });

  it('every message has a real zh-cn translation', () => {
    const problems = [...messages].flatMap((m) => {
      const zh = bundleZh[m];
      if (zh === undefined) return [`missing: ${JSON.stringify(m)}`];
      if (!zh.trim()) return [`empty: ${JSON.stringify(m)}`];
      if (zh === m && hasWords(m)) return [`identical to English: ${JSON.stringify(m)}`];
      return [];
    });
    assert.deepEqual(problems, []);
  });

  it('translations keep every {n} placeholder', () => {
    const placeholders = (s: string) => [...new Set(s.match(/\{\d+\}/g) ?? [])].sort().join(',');
    const problems = Object.entries(bundleZh).filter(([en, zh]) => placeholders(en) !== placeholders(zh)).map(([en]) => en);
    assert.deepEqual(problems, []);
  });

  it('no bundle entry is unused, and the zh-cn bundle has no extra keys', () => {
    assert.deepEqual(Object.keys(bundle).filter((k) => !messages.has(k)), []);
    assert.deepEqual(Object.keys(bundleZh).filter((k) => !(k in bundle)), []);
  });

  it('the English bundle maps each message to itself (it is the source language)', () => {
    assert.deepEqual(Object.entries(bundle).filter(([k, v]) => k !== v).map(([k]) => k), []);
  });

  it('the webview has a localized string for every key it uses', () => {
    const used = new Set<string>();
    for (const file of sourceFiles('src/webview')) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*(?=['"])/g)) {
        const lit = readLiteral(text, m.index! + m[0].length);
        if (lit) used.add(lit.value);
      }
    }
    assert.ok(used.size > 20, `only ${used.size} webview keys found`);
    assert.deepEqual([...used].filter((k) => !(STRING_KEYS as readonly string[]).includes(k)), []);
  });
});

describe('no hard-coded user-facing strings', () => {
  it('messages, QuickPick/InputBox titles, placeholders, labels and webview labels go through l10n', () => {
    const found = hardCodedStrings(uiSources).map((h) => `${h.file}:${h.line} ${JSON.stringify(h.text)}`);
    assert.deepEqual(found, []);
  });

  it('the scanner catches a literal (self-test)', async () => {
    const path = await import('node:path');
    const dir = tempDir('sw-l10n-');
    const file = path.join(dir, 'bad.ts');
    fs.writeFileSync(file, [
      "void vscode.window.showWarningMessage('Something broke');",
      "qp.placeholder = 'Type a query';",
      "const item = { label: `$(search) ${vscode.l10n.t('Search…')}`, detail: 'Hard coded detail' };",
      "const ok = { label: '$(lock) DashScope', title: vscode.l10n.t('Fine') };",
    ].join('\n'));
    const found = hardCodedStrings([file]).map((h) => h.text);
    assert.deepEqual(found, ['Something broke', 'Type a query', 'Hard coded detail']);
    const uses = l10nUses([file]);
    assert.deepEqual(uses.map((u) => u.message), ['Search…', 'Fine']);
  });
});
