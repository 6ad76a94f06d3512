/**
 * The engine: the one façade over discovery, chunking, embedders, the index store and search.
 * The CLI and the extension create one per indexed folder with `openEngine`.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Engine, EngineConfig } from './engineTypes';

/** Per-folder index directory under the user's cache dir — never inside the folder itself. */
export function defaultIndexDir(root: string): string {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const abs = path.resolve(root);
  const id = crypto.createHash('sha256').update(abs).digest('hex').slice(0, 16);
  const name = path.basename(abs).replace(/[^\w.-]+/g, '_').slice(0, 40) || 'root';
  return path.join(cacheHome, 'semantic-workspace', 'indexes', `${name}-${id}`);
}

export async function openEngine(config: EngineConfig): Promise<Engine> {
  void config;
  throw new Error('openEngine: being implemented (lead)');
}
