/**
 * Opens a place in the workspace. Everything that arrives from the webview goes through
 * `resolveInsideRoots` first: only a file strictly inside a workspace folder is ever opened.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { FileRef } from '../protocol/messages';
import { resolveInsideRoots } from '../protocol/paths';
import type { Engines } from './engines';

/** The file URI for a ref, or undefined if the folder is unknown or the path escapes it. */
export function resolveRef(engines: Engines, ref: FileRef): vscode.Uri | undefined {
  const folder = engines.folderByKey(ref.folder);
  if (!folder) return undefined;
  const roots = engines.folders().map((f) => f.uri.fsPath);
  // On disk, symlinks are followed too: a link inside the workspace to a file outside is refused.
  const fsAccess = folder.uri.scheme === 'file' ? { realpath: (p: string) => fs.realpathSync.native(p) } : undefined;
  const abs = resolveInsideRoots(ref.path, roots, folder.uri.fsPath, fsAccess);
  return abs ? vscode.Uri.file(abs) : undefined;
}

export async function openRef(engines: Engines, ref: FileRef, side = false): Promise<boolean> {
  const uri = resolveRef(engines, ref);
  if (!uri) return false;
  const doc = await vscode.workspace.openTextDocument(uri);
  const start = Math.max(0, Math.min((ref.startLine ?? 1) - 1, doc.lineCount - 1));
  const end = Math.max(start, Math.min((ref.endLine ?? ref.startLine ?? 1) - 1, doc.lineCount - 1));
  // A piece of one long line selects its columns (1-based inclusive → 0-based, end exclusive).
  const range = ref.startColumn !== undefined && ref.endColumn !== undefined && start === end
    ? new vscode.Range(start, ref.startColumn - 1, end, Math.min(ref.endColumn, doc.lineAt(end).range.end.character))
    : new vscode.Range(start, 0, end, doc.lineAt(end).range.end.character);
  const editor = await vscode.window.showTextDocument(doc, {
    viewColumn: side ? vscode.ViewColumn.Beside : undefined,
    preview: !side,
    selection: ref.startLine ? range : undefined,
  });
  if (ref.startLine) editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return true;
}

/** The folder and POSIX relative path of a document, when it lies in an indexable folder. */
export function refOf(engines: Engines, uri: vscode.Uri): { folder: vscode.WorkspaceFolder; path: string } | undefined {
  if (uri.scheme !== 'file') return undefined;
  const owner = vscode.workspace.getWorkspaceFolder(uri);
  const folder = owner && engines.folderByKey(owner.uri.toString());
  if (!folder) return undefined;
  // Not asRelativePath: it prefixes the folder name in multi-root workspaces.
  const root = folder.uri.path.endsWith('/') ? folder.uri.path : `${folder.uri.path}/`;
  if (!uri.path.startsWith(root)) return undefined;
  return { folder, path: uri.path.slice(root.length) }; // Uri.path is already decoded
}
