/**
 * The webview's side of the protocol: typed posting, requests with ids answered by `reply`,
 * and the one `acquireVsCodeApi()` call (it may only be called once per document).
 */
import type { FromWebviewMessage, ToWebviewMessage } from '../protocol/messages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Request = Extract<FromWebviewMessage, { id: number }>;
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export class Host {
  private readonly api = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(onMessage: (m: Exclude<ToWebviewMessage, { type: 'reply' }>) => void) {
    window.addEventListener('message', (e: MessageEvent) => {
      const m = e.data as ToWebviewMessage;
      if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
      if (m.type === 'reply') {
        const p = this.pending.get(m.id);
        if (!p) return; // cancelled or from an earlier document
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(new Error(m.error));
        return;
      }
      onMessage(m);
    });
  }

  post(m: Exclude<FromWebviewMessage, Request>): void {
    this.api.postMessage(m);
  }

  /** Sends a request; returns its id (for cancel) and the reply's result. */
  request<T>(m: WithoutId<Request>): { id: number; result: Promise<T> } {
    const id = this.nextId++;
    const result = new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
    this.api.postMessage({ ...m, id });
    return { id, result };
  }

  cancel(id: number): void {
    if (this.pending.delete(id)) this.api.postMessage({ type: 'cancel', id });
  }

  getState(): unknown {
    return this.api.getState();
  }

  setState(s: unknown): void {
    this.api.setState(s);
  }
}
