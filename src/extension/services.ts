/** The extension's parts, created once in `activate` and handed to the commands (no singletons). */
import type * as vscode from 'vscode';
import type { AnalysisService } from './analysis';
import type { Consent } from './consent';
import type { Door } from './door';
import type { Engines } from './engines';
import type { Indexer } from './indexing';
import type { LiveUpdates } from './liveUpdates';
import type { Log } from './log';
import type { PanelSync } from './panelSync';
import type { RelatedController } from './related';
import type { SearchService } from './searchService';
import type { KeyStore } from './secrets';
import type { SidebarProvider } from './sidebar/provider';
import type { StatusModel } from './status';
import type { PreviewDocuments } from './tagEdits';

export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: Log;
  readonly keys: KeyStore;
  readonly engines: Engines;
  readonly status: StatusModel;
  readonly consent: Consent;
  /** The one door: consent, trust and "is there an index" (door.ts). */
  readonly door: Door;
  readonly indexer: Indexer;
  readonly search: SearchService;
  readonly sidebar: SidebarProvider;
  readonly related: RelatedController;
  /** Keeps the sidebar's sections and the walkthrough's context keys in step with the state. */
  readonly panels: PanelSync;
  readonly analysis: AnalysisService;
  /** Virtual documents behind the tag-edit diff previews. */
  readonly previews: PreviewDocuments;
  /** Created on first use of an index (watchers are not part of the startup path). */
  readonly live: () => LiveUpdates;
}

/** A command: an id and what it does. Registered in one place (commands/index.ts). */
export interface Command {
  readonly id: string;
  execute(...args: unknown[]): unknown;
}
