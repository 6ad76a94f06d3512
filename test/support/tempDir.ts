/**
 * Temp folders for tests: one helper instead of a copy per suite. Each folder is removed when the
 * test process exits (SW_KEEP_TMP=1 keeps them for a post-mortem).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');

const made: string[] = [];
process.on('exit', () => {
  if (process.env.SW_KEEP_TMP === '1') return;
  for (const d of made) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      /* best effort: a folder still in use by a killed child is left to the OS */
    }
  }
});

/** A fresh folder under the OS temp dir, named `<prefix>XXXXXX`. */
export function tempDir(prefix = 'sw-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}
