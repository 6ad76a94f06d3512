/**
 * Validates every message from the webview, then dispatches it to one typed handler. Requests get
 * exactly one reply; a request cancelled by the webview (it typed on) is aborted and its reply
 * dropped. Invalid messages are logged and ignored — never acted on.
 */
import type { FileRef, FromWebviewMessage, SearchFilterMessage, SearchResult, SidebarCommand, ToWebviewMessage } from '../../protocol/messages';
import { validateFromWebview } from '../../protocol/validate';
import { errorText, type Log } from '../log';

export interface SidebarHandlers {
  ready(): void;
  search(query: string, filter: SearchFilterMessage, signal: AbortSignal): Promise<SearchResult>;
  open(ref: FileRef, side: boolean): Promise<boolean>;
  applyTags(target: FileRef, labels: readonly string[]): Promise<{ applied: number }>;
  pinRelated(ref: FileRef, pinned: boolean): void;
  hideRelated(ref: FileRef): void;
  runCommand(command: SidebarCommand): void;
  addTopicTag(topic: number, ref: FileRef | undefined): void;
}

export class MessageRouter {
  private readonly inFlight = new Map<number, AbortController>();

  constructor(
    private readonly handlers: SidebarHandlers,
    private readonly post: (m: ToWebviewMessage) => void,
    private readonly log: Log,
  ) {}

  /** Entry point for `webview.onDidReceiveMessage`. */
  async handle(raw: unknown): Promise<void> {
    const v = validateFromWebview(raw);
    if (!v.ok) {
      this.log.channel.warn(`ignored an invalid message from the sidebar: ${v.error}`);
      return;
    }
    try {
      await this.dispatch(v.value);
    } catch (e) {
      this.log.channel.error(`sidebar: ${errorText(e)}`);
    }
  }

  private async dispatch(m: FromWebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        return this.handlers.ready();
      case 'search':
        return this.request(m.id, (signal) => this.handlers.search(m.query, m.filter, signal));
      case 'cancel':
        this.inFlight.get(m.id)?.abort();
        this.inFlight.delete(m.id);
        return;
      case 'open':
        if (!(await this.handlers.open(m.ref, m.side))) this.log.channel.warn(`refused to open ${JSON.stringify(m.ref.path)}: not inside a workspace folder`);
        return;
      case 'applyTags':
        return this.request(m.id, () => this.handlers.applyTags(m.target, m.labels));
      case 'pinRelated':
        return this.handlers.pinRelated(m.ref, m.pinned);
      case 'hideRelated':
        return this.handlers.hideRelated(m.ref);
      case 'runCommand':
        return this.handlers.runCommand(m.command);
      case 'addTopicTag':
        return this.handlers.addTopicTag(m.topic, m.ref);
    }
  }

  private async request(id: number, run: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
    const ac = new AbortController();
    this.inFlight.set(id, ac);
    try {
      const result = await run(ac.signal);
      if (!ac.signal.aborted) this.post({ type: 'reply', id, ok: true, result });
    } catch (e) {
      if (!ac.signal.aborted) this.post({ type: 'reply', id, ok: false, error: errorText(e) });
    } finally {
      this.inFlight.delete(id);
    }
  }

  /** Aborts every request in flight (the view was disposed). */
  cancelAll(): void {
    for (const ac of this.inFlight.values()) ac.abort();
    this.inFlight.clear();
  }
}
