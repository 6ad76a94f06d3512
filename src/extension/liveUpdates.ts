/**
 * Keeps the index current: a FileSystemWatcher per folder plus saves, debounced (~500 ms) and
 * batched into one `engine.index({paths})` per folder. Deleted paths are passed too (the engine
 * removes their chunks). Only runs once an index exists and, for cloud providers, after consent.
 */
import * as vscode from 'vscode';
import type { Door } from './door';
import type { Engines } from './engines';
import type { Indexer } from './indexing';
import { refOf } from './open';

const DEBOUNCE_MS = 500;
/** Paths never worth a round trip to the engine (its own discovery would skip them anyway). */
const NOISE = /(^|\/)(\.git|node_modules|\.hg|\.svn|\.vscode-test|\.vscode-e2e)(\/|$)/;

export class LiveUpdates implements vscode.Disposable {
  private readonly pending = new Map<string, Set<string>>(); // folder key → relative paths
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private watchers: vscode.Disposable[] = [];

  constructor(
    private readonly engines: Engines,
    private readonly indexer: Indexer,
    private readonly door: Door,
  ) {
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((d) => this.touch(d.uri)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.watch()),
    );
    this.watch();
  }

  private watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = this.engines.folders().map((folder) => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'));
      const subs = [w.onDidCreate((u) => this.touch(u)), w.onDidChange((u) => this.touch(u)), w.onDidDelete((u) => this.touch(u))];
      return vscode.Disposable.from(w, ...subs);
    });
  }

  private touch(uri: vscode.Uri): void {
    const ref = refOf(this.engines, uri);
    if (!ref || NOISE.test(ref.path)) return;
    const key = ref.folder.uri.toString();
    let set = this.pending.get(key);
    if (!set) this.pending.set(key, (set = new Set()));
    set.add(ref.path);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), DEBOUNCE_MS);
  }

  /** Sends the batched paths (public so tests need not wait for the debounce). */
  async flush(): Promise<void> {
    this.timer = undefined;
    const batches = [...this.pending];
    this.pending.clear();
    if (!(await this.door.check({ purpose: 'live-update', interactive: false })).ok) return; // never upload silently before consent
    for (const [key, paths] of batches) {
      const folder = this.engines.folderByKey(key);
      if (!folder) continue;
      const engine = await this.engines.get(folder).catch(() => undefined);
      if (!engine || !(await engine.status()).exists) continue; // the first index is an explicit act
      await this.indexer.updatePaths(engine, [...paths]);
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of [...this.disposables, ...this.watchers]) d.dispose();
  }
}
