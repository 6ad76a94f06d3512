/** A generated corpus for the chunk-pool tests: many languages, odd encodings, every skip reason the reader gives. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../../../src/core/embedding/offline/prng';
import { FIXTURES } from './helpers';

/** Deterministic PRNG (the product's mulberry32): the same corpus on every run. */
const rng = mulberry32;

const WORDS = ['mailbox', 'parse', 'header', 'index', 'vector', 'chunk', 'token', 'folder', 'message', 'queue', 'retry', 'budget'];

function tsFile(r: () => number, n: number): string {
  const w = () => WORDS[Math.floor(r() * WORDS.length)];
  let s = `import { ${w()} } from './${w()}';\n\n`;
  for (let i = 0; i < n; i++) {
    s += `/** ${w()} ${w()} ${w()}. */\nexport class ${w()[0].toUpperCase()}${w()}${i} {\n  private ${w()}Count = ${i};\n`;
    for (let m = 0; m < 1 + Math.floor(r() * 6); m++) {
      s += `  ${w()}${m}(${w()}: string): number {\n    const x = ${w()}.length * ${m};\n    return x + this.${w()}Count;\n  }\n`;
    }
    s += '}\n\n';
  }
  return s;
}

function pyFile(r: () => number, n: number): string {
  const w = () => WORDS[Math.floor(r() * WORDS.length)];
  let s = '"""Module docstring."""\nimport os\n\n';
  for (let i = 0; i < n; i++) s += `\ndef ${w()}_${i}(${w()}):\n    """${w()} ${w()}."""\n    return ${w()} * ${i}\n\n`;
  return s;
}

function mdFile(r: () => number, n: number): string {
  const w = () => WORDS[Math.floor(r() * WORDS.length)];
  let s = `---\ntitle: ${w()} notes\ntags: [${w()}, ${w()}]\n---\n# ${w()}\n\n`;
  for (let i = 0; i < n; i++) s += `## ${w()} ${i}\n\n${Array.from({ length: 40 }, w).join(' ')}.\n\n`;
  return s;
}

/** Writes the corpus into a fresh temp folder; returns its root. `bulk` adds that many ~100 KB TS files. */
export function makeCorpus(files = 48, bulk = 0): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-pool-'));
  const r = rng(42);
  const put = (rel: string, data: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), data);
  };
  for (const name of fs.readdirSync(FIXTURES)) put(`fixtures/${name}`, fs.readFileSync(path.join(FIXTURES, name)));
  for (let i = 0; i < files; i++) {
    const kind = i % 4;
    const size = 2 + Math.floor(r() * 30);
    if (kind === 0) put(`src/mod${i}/file${i}.ts`, tsFile(r, size));
    else if (kind === 1) put(`py/pkg${i}.py`, pyFile(r, size));
    else if (kind === 2) put(`notes/n${i}.md`, mdFile(r, size));
    else put(`src/js${i}.js`, tsFile(r, size).replace(/: (string|number)/g, ''));
  }
  put('odd/crlf.ts', tsFile(r, 3).replace(/\n/g, '\r\n'));
  put('odd/bom.py', '\uFEFF' + pyFile(r, 3));
  put('odd/minified.js', `var a=${JSON.stringify(Array.from({ length: 3000 }, (_, i) => i))};`.repeat(3));
  put('odd/blank.txt', '   \n\n  \n');
  put('odd/binary.ts', Buffer.from([0x63, 0x6f, 0, 1, 2, 3, 0x64]));
  put('odd/secret.ts', `const apiKey = "sk-abcdefghijklmnopqrstuvwxyz0123456789";\nexport const x = 1;\n`);
  for (let i = 0; i < bulk; i++) put(`bulk/big${i}.ts`, tsFile(r, 220));
  put('odd/cjk.md', '# 索引\n\n语义搜索把代码和笔记切成块，然后嵌入向量。\n');
  return root;
}
