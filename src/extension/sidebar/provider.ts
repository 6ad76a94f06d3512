/**
 * The `semanticWorkspace.sidebar` WebviewView. The webview is not retained when hidden; it
 * restores its own UI state (`getState`) and, after each load, sends `ready` — the provider then
 * resends everything the extension knows (status, topics, tags, related).
 */
import * as vscode from 'vscode';
import { PROTOCOL_VERSION, type RelatedView, type TagsView, type ToWebviewMessage, type TopicsView } from '../../protocol/messages';
import type { Engines } from '../engines';
import type { Log } from '../log';
import type { StatusModel } from '../status';
import { renderHtml } from './html';
import { MessageRouter, type SidebarHandlers } from './router';
import { webviewStrings } from './strings';

export const SIDEBAR_VIEW_ID = 'semanticWorkspace.sidebar';

export class SidebarProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private pendingQuery: string | undefined;
  private topics: TopicsView | undefined;
  private tags: TagsView | undefined;
  private related: RelatedView | undefined;
  /** The vector space (provider and index label) the topics and the tags were computed in. */
  private topicsSpace = '';
  private tagsSpace = '';
  private readonly disposables: vscode.Disposable[] = [];
  private viewDisposables: vscode.Disposable[] = [];
  private readonly visibility = new vscode.EventEmitter<boolean>();
  /** Fires when the view becomes visible or hidden (related files update only while visible). */
  readonly onDidChangeVisibility = this.visibility.event;
  handlers: Omit<SidebarHandlers, 'ready'> | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly engines: Engines,
    private readonly status: StatusModel,
    private readonly log: Log,
  ) {
    this.disposables.push(
      status.onDidChange((s) => {
        this.post({ type: 'status', status: s });
        this.dropForeignResults();
      }),
      this.visibility,
    );
  }

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    this.ready = false;
    view.webview.options = {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    const handlers = this.handlers;
    if (!handlers) throw new Error('sidebar handlers not set');
    const router = new MessageRouter({ ...handlers, ready: () => this.onReady() }, (m) => this.post(m), this.log);
    this.viewDisposables.push(
      view.webview.onDidReceiveMessage((m: unknown) => router.handle(m)),
      view.onDidChangeVisibility(() => {
        // Not retained: a hidden view loses its document and says `ready` again when shown.
        if (!view.visible) this.ready = false;
        this.visibility.fire(view.visible);
      }),
      view.onDidDispose(() => {
        router.cancelAll();
        this.view = undefined;
        this.ready = false;
        this.disposeView();
        this.visibility.fire(false);
      }),
    );
    view.webview.html = renderHtml(view.webview, this.extensionUri);
    this.visibility.fire(view.visible);
  }

  private onReady(): void {
    this.ready = true;
    this.post({
      type: 'init',
      version: PROTOCOL_VERSION,
      strings: webviewStrings(),
      folders: this.engines.folders().map((f) => ({ key: f.uri.toString(), name: f.name })),
      status: this.status.current,
      topics: this.topics,
      tags: this.tags,
      related: this.related,
    });
    if (this.pendingQuery !== undefined) {
      this.post({ type: 'setQuery', query: this.pendingQuery });
      this.pendingQuery = undefined;
    }
  }

  /** Messages before `ready` are dropped: everything they carry is resent in `init`. */
  private post(m: ToWebviewMessage): void {
    if (this.view && this.ready) void this.view.webview.postMessage(m);
  }

  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${SIDEBAR_VIEW_ID}.focus`);
  }

  /** Puts a query in the sidebar's search box and runs it (now, or once the view is ready). */
  async setQuery(query: string): Promise<void> {
    if (this.ready) this.post({ type: 'setQuery', query });
    else this.pendingQuery = query;
    await this.reveal();
  }

  private space(): string {
    const s = this.status.current;
    return s.label ? `${s.provider}\n${s.label}` : '';
  }

  /**
   * Topics and tags from another provider (or model) describe other vectors: after a switch they
   * are dropped — banner and Apply button included — and the shown search re-runs.
   */
  private dropForeignResults(): void {
    const now = this.space();
    if (!now) return;
    const drop: ('topics' | 'tags')[] = [];
    // A result recorded before the first status was known adopts the first one.
    if (this.topics && !this.topicsSpace) this.topicsSpace = now;
    if (this.tags && !this.tagsSpace) this.tagsSpace = now;
    if (this.topics && this.topicsSpace !== now) {
      this.topics = undefined;
      drop.push('topics');
    }
    if (this.tags && this.tagsSpace !== now) {
      this.tags = undefined;
      drop.push('tags');
    }
    if (drop.length) {
      this.post({ type: 'clearResults', sections: drop });
      this.refreshSearch();
    }
  }

  showTopics(view: TopicsView): void {
    this.topics = view;
    this.topicsSpace = this.space();
    this.post({ type: 'topics', view });
  }

  /** Marks the shown topics stale (the notes changed) or current again. */
  markTopicsStale(stale: boolean): void {
    if (!this.topics || !!this.topics.stale === stale) return;
    this.topics = { ...this.topics, stale };
    this.post({ type: 'topics', view: this.topics });
  }

  showTags(view: TagsView): void {
    this.tags = view;
    this.tagsSpace = this.space();
    this.post({ type: 'tags', view });
  }

  /** The shown classification's file, if any. */
  get tagsTarget(): TagsView['target'] | undefined {
    return this.tags?.target;
  }

  /** Marks the shown tags stale (another file is in the editor: Apply is off) or current again. */
  markTagsStale(stale: boolean): void {
    if (!this.tags || !!this.tags.stale === stale) return;
    this.tags = { ...this.tags, stale };
    this.post({ type: 'tags', view: this.tags });
  }

  /** The index or the provider changed: the webview re-runs the query it shows (if any). */
  refreshSearch(): void {
    this.post({ type: 'refreshSearch' });
  }

  showRelated(view: RelatedView): void {
    this.related = view;
    this.post({ type: 'related', view });
  }

  /** For the test API: what the sidebar currently shows. */
  snapshot(): { ready: boolean; topics?: TopicsView; tags?: TagsView; related?: RelatedView } {
    return { ready: this.ready, topics: this.topics, tags: this.tags, related: this.related };
  }

  private disposeView(): void {
    for (const d of this.viewDisposables) d.dispose();
    this.viewDisposables = [];
  }

  dispose(): void {
    this.disposeView();
    for (const d of this.disposables) d.dispose();
  }
}
