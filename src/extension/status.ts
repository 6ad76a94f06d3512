/**
 * The index status shown by the status bar, the sidebar and the test API. One observable value;
 * views subscribe instead of asking the engines.
 */
import * as vscode from 'vscode';
import type { StatusInfo } from '../protocol/messages';

export class StatusModel implements vscode.Disposable {
  private value: StatusInfo = { state: 'noIndex', provider: 'offline', label: '', chunks: 0, files: 0, restricted: false };
  private readonly emitter = new vscode.EventEmitter<StatusInfo>();
  readonly onDidChange = this.emitter.event;

  get current(): StatusInfo {
    return this.value;
  }

  set(next: Partial<StatusInfo>): void {
    this.value = { ...this.value, ...next };
    // Only an indexing state carries a percentage; drop stale ones.
    if (this.value.state !== 'indexing' && (this.value.percent !== undefined || this.value.progress !== undefined)) this.value = { ...this.value, percent: undefined, progress: undefined };
    this.emitter.fire(this.value);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
