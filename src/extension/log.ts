/**
 * The one output channel (a LogOutputChannel, so levels and timestamps come from VS Code) and
 * the core `Logger` port over it. Per-file problems land here instead of in toasts.
 */
import * as vscode from 'vscode';
import type { Logger } from '../core/types';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  readonly logger: Logger;

  constructor() {
    this.channel = vscode.window.createOutputChannel('Semantic Workspace', { log: true });
    const c = this.channel;
    this.logger = {
      info: (m) => c.info(m),
      warn: (m) => c.warn(m),
      error: (m) => c.error(m),
      debug: (m) => c.debug(m),
    };
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

/** A message for people: the error's own message (core errors are actionable and hold no key). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
