/**
 * Related files for the active editor, shown in the sidebar while it is visible. Updates are
 * debounced and stale computations dropped; pins and hides are remembered per workspace.
 */
import * as vscode from 'vscode';
import type { FileRef, RelatedItem } from '../protocol/messages';
import { related } from './analysis';
import type { Engines } from './engines';
import { errorText, type Log } from './log';
import { refOf } from './open';
import type { SidebarProvider } from './sidebar/provider';

const PINNED = 'semanticWorkspace.related.pinned';
const HIDDEN = 'semanticWorkspace.related.hidden';
const key = (r: FileRef): string => `${r.folder}|${r.path}`;

export class RelatedController implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly engines: Engines,
    private readonly sidebar: SidebarProvider,
    private readonly state: vscode.Memento,
    private readonly log: Log,
  ) {
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      sidebar.onDidChangeVisibility((visible) => visible && this.schedule()),
    );
  }

  private pinned(): FileRef[] {
    return this.state.get<FileRef[]>(PINNED, []);
  }

  private hidden(): string[] {
    return this.state.get<string[]>(HIDDEN, []);
  }

  async pin(ref: FileRef, pinned: boolean): Promise<void> {
    const rest = this.pinned().filter((p) => key(p) !== key(ref));
    await this.state.update(PINNED, pinned ? [...rest, { folder: ref.folder, path: ref.path }] : rest);
    this.schedule(0);
  }

  async hide(ref: FileRef): Promise<void> {
    await this.state.update(HIDDEN, [...new Set([...this.hidden(), key(ref)])].slice(-500));
    await this.pin(ref, false);
  }

  schedule(delay = 400): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), delay);
  }

  /** Recomputes the list for the active editor (public for the test API). */
  async update(): Promise<void> {
    if (!this.sidebar.visible) return;
    const seq = ++this.seq;
    const doc = vscode.window.activeTextEditor?.document;
    const here = doc && refOf(this.engines, doc.uri);
    const pinned = this.pinned();
    const hidden = new Set(this.hidden());
    const items: RelatedItem[] = pinned.map((p) => ({ ref: p, title: p.path, score: 0, pinned: true }));
    if (here) {
      try {
        const engine = await this.engines.get(here.folder);
        if ((await engine.status()).exists) {
          const folderKey = here.folder.uri.toString();
          for (const r of await related(engine, here.path, doc.getText(), 15)) {
            const ref = { folder: folderKey, path: r.path };
            const i = items.findIndex((it) => key(it.ref) === key(ref));
            if (i >= 0) items[i] = { ...items[i]!, score: r.score };
            else if (!hidden.has(key(ref))) items.push({ ref, title: r.path, score: r.score, pinned: false });
          }
        }
      } catch (e) {
        this.log.channel.warn(`related files: ${errorText(e)}`);
      }
    }
    if (seq !== this.seq) return; // a newer editor change won
    this.sidebar.showRelated({ forTitle: here?.path, items });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
