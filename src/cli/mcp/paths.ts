/**
 * Paths in and out of the MCP tools are workspace-relative POSIX paths. With one folder they are
 * relative to it; with several, they start with the folder's name (`api/src/x.ts`). Anything that
 * leaves the folders (`..`, another absolute path) is refused with a message an agent can act on.
 */
import path from 'node:path';
import type { McpFolder } from './folders';

/** A tool input an agent can fix; becomes an MCP error result (`isError: true`). */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolInputError';
  }
}

export interface FolderPath {
  readonly folder: McpFolder;
  /** POSIX, relative to the folder root. */
  readonly rel: string;
}

export class Workspace {
  constructor(readonly folders: readonly McpFolder[]) {}

  get multi(): boolean {
    return this.folders.length > 1;
  }

  /** What an agent sees for a folder-relative path. */
  out(folder: McpFolder, rel: string): string {
    return this.multi ? `${folder.name}/${rel}` : rel;
  }

  /** The folder by name (several folders) or the only one; default: the first. */
  folder(name?: string): McpFolder {
    if (!name) return this.folders[0];
    const f = this.folders.find((x) => x.name === name);
    if (!f) throw new ToolInputError(`Unknown folder "${name}". Folders served: ${this.folders.map((x) => x.name).join(', ')}.`);
    return f;
  }

  /** Resolves an agent's path to a folder and a folder-relative path, refusing paths outside. */
  resolve(input: string): FolderPath {
    const raw = input.trim().replace(/\\/g, '/');
    if (!raw) throw new ToolInputError('The path is empty. Give a workspace-relative path such as "src/main.ts".');
    if (path.isAbsolute(raw) || /^[A-Za-z]:\//.test(raw)) {
      const abs = path.resolve(raw);
      for (const folder of this.folders) {
        const rel = path.relative(folder.root, abs);
        if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return { folder, rel: rel.split(path.sep).join('/') };
      }
      throw this.outside(input);
    }
    const norm = path.posix.normalize(raw).replace(/^\.\//, '');
    if (norm === '..' || norm.startsWith('../')) throw this.outside(input);
    if (!this.multi) return { folder: this.folders[0], rel: norm };
    const [head, ...rest] = norm.split('/');
    const folder = this.folders.find((f) => f.name === head);
    if (!folder || !rest.length) {
      throw new ToolInputError(`"${input}" does not start with a served folder's name. With several folders, paths look like "<folder>/<path>"; folders: ${this.folders.map((f) => f.name).join(', ')}.`);
    }
    return { folder, rel: rest.join('/') };
  }

  /**
   * A search's path glob: with several folders a leading folder name restricts the search to that
   * folder. Globs that climb out of the folders are refused.
   */
  glob(input: string | undefined): { folders: readonly McpFolder[]; glob?: string } {
    if (input === undefined || !input.trim()) return { folders: this.folders };
    const g = input.trim().replace(/\\/g, '/');
    if (path.isAbsolute(g) || g.split('/').includes('..')) throw this.outside(input);
    if (this.multi) {
      const [head, ...rest] = g.split('/');
      const folder = this.folders.find((f) => f.name === head);
      if (folder) return { folders: [folder], glob: rest.join('/') || undefined };
    }
    return { folders: this.folders, glob: g };
  }

  private outside(input: string): ToolInputError {
    const roots = this.multi ? ` Folders served: ${this.folders.map((f) => f.name).join(', ')}.` : '';
    return new ToolInputError(`"${input}" is outside the workspace this server serves; only paths inside it are allowed (workspace-relative, e.g. "src/main.ts").${roots}`);
  }
}
