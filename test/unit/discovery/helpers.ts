/** Builds real folder trees in a temp dir for the discovery tests. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../../support/tempDir';

/** Creates `root/<path>` for each entry (folders for paths ending in `/`); returns the root. */
export async function makeTree(files: Record<string, string | Buffer>): Promise<string> {
  const root = tempDir('sw-discovery-');
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    if (rel.endsWith('/')) {
      await fs.mkdir(abs, { recursive: true });
      continue;
    }
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, content);
  }
  return root;
}

export async function removeTree(root: string): Promise<void> {
  await fs.rm(root, { recursive: true, force: true });
}
