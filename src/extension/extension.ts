/**
 * Entry point. Activation is cheap: it wires the parts together and registers commands and the
 * sidebar; no engine is opened and nothing is indexed on this path. The status is computed right
 * after activation (off the startup path) so an existing index shows in the status bar.
 */
import * as vscode from 'vscode';
import { registerMcpProvider } from './agentMcp';
import { registerAgentTools } from './agentTools';
import { AnalysisService } from './analysis';
import type { SemanticWorkspaceApi } from './api';
import { testApi } from './api';
import { registerCommands } from './commands/index';
import { Consent } from './consent';
import { Door } from './door';
import { Engines } from './engines';
import { Indexer } from './indexing';
import { LiveUpdates } from './liveUpdates';
import { Log } from './log';
import { PanelSync } from './panelSync';
import { RelatedController } from './related';
import { SearchService } from './searchService';
import { KeyStore } from './secrets';
import type { Services } from './services';
import { ENGINE_SETTINGS, FINGERPRINT_SETTINGS, SECTION, setExtensionMode } from './settings';
import { MACHINE_SCOPED, noticeIgnoredMachineSettings } from './settingScope';
import { sidebarHandlers } from './sidebar/handlers';
import { SIDEBAR_VIEW_ID, SidebarProvider } from './sidebar/provider';
import { SearchReranker } from './rerank';
import { StatusModel } from './status';
import { registerTeamIndex } from './teamCommands';
import { createStatusBar } from './statusBar';
import { PreviewDocuments } from './tagEdits';

export function activate(context: vscode.ExtensionContext): SemanticWorkspaceApi | undefined {
  const subs = context.subscriptions;
  setExtensionMode(context.extensionMode);
  const log = new Log();
  const keys = new KeyStore(context.secrets);
  const status = new StatusModel();
  const engines = new Engines(context, keys, log);
  const consent = new Consent(context.workspaceState, engines, log);
  const door = new Door(engines, consent);
  const indexer = new Indexer(engines, door, status, log, keys.onDidChange);
  door.indexAll = () => indexer.indexAll();
  door.indexing = () => indexer.busy;
  const search = new SearchService(engines, indexer, new SearchReranker(door, keys, log));
  const sidebar = new SidebarProvider(context.extensionUri, engines, status, log);
  const analysis = new AnalysisService(engines, indexer, log);
  const related = new RelatedController(engines, analysis, sidebar, context.workspaceState, log);
  const previews = new PreviewDocuments();
  const panels = new PanelSync({ engines, analysis, sidebar, status, search, keys });
  let live: LiveUpdates | undefined;
  const s: Services = {
    context, log, keys, engines, status, consent, door, indexer, search, sidebar, related, panels, analysis, previews,
    live: () => (live ??= new LiveUpdates(engines, indexer, door)),
  };
  sidebar.handlers = sidebarHandlers(s);
  if (context.extensionMode === vscode.ExtensionMode.Test) {
    // The extension-host suite cannot answer the modal consent dialog (VS Code refuses modals in
    // test windows); flows that need an upload grant it here. Never registered for users.
    subs.push(vscode.commands.registerCommand('semanticWorkspace.test.grantConsent', () => consent.grant()));
  }
  subs.push(log, status, engines, sidebar, analysis, related, panels, previews, { dispose: () => live?.dispose() });
  subs.push(
    registerCommands(s),
    createStatusBar(status),
    vscode.window.registerWebviewViewProvider(SIDEBAR_VIEW_ID, sidebar, { webviewOptions: { retainContextWhenHidden: false } }),
  );
  // Agent integrations must never cost the extension its activation (an editor without chat/MCP support).
  for (const [what, register] of [['language-model tools', registerAgentTools], ['MCP server provider', registerMcpProvider]] as const) {
    try {
      subs.push(register(s));
    } catch (e) {
      log.channel.warn(`${what} not registered: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  status.set({ restricted: !vscode.workspace.isTrusted });

  const reopen = (): void => {
    engines.reset();
    void indexer.refreshStatus(false);
  };
  subs.push(
    registerTeamIndex(s, reopen),
    keys.onDidChange(reopen),
    vscode.workspace.onDidGrantWorkspaceTrust(reopen),
    vscode.workspace.onDidChangeWorkspaceFolders(reopen),
    vscode.workspace.onDidChangeConfiguration((e) => void onConfigChange(e, s, reopen)),
  );

  // Off the startup path: show an existing index and keep it live; say if an endpoint setting is ignored here.
  setTimeout(() => {
    void noticeIgnoredMachineSettings(context, log);
    void indexer.refreshStatus(false).then(() => {
      if (status.current.state === 'ready' || status.current.state === 'incomplete') s.live();
    });
  }, 0);

  // The API reaches engines (and so the key) without the door's dialogs: only VS Code's test runs get it.
  return context.extensionMode === vscode.ExtensionMode.Test ? testApi(s) : undefined;
}

async function onConfigChange(e: vscode.ConfigurationChangeEvent, s: Services, reopen: () => void): Promise<void> {
  if (!e.affectsConfiguration(SECTION)) return;
  if (MACHINE_SCOPED.some((k) => e.affectsConfiguration(`${SECTION}.${k}`))) void noticeIgnoredMachineSettings(s.context, s.log);
  const fingerprint = FINGERPRINT_SETTINGS.some((k) => e.affectsConfiguration(k));
  if (fingerprint || ENGINE_SETTINGS.some((k) => e.affectsConfiguration(k))) reopen();
  if (!fingerprint || !(await s.door.hasIndex().catch(() => false))) return; // nothing to rebuild
  const reindex = vscode.l10n.t('Re-index Now');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('This setting changes how the workspace is indexed. Re-index now? (Unchanged chunks are reused.)'),
    reindex,
  );
  if (choice === reindex) await vscode.commands.executeCommand('semanticWorkspace.indexWorkspace');
}

export function deactivate(): void {
  // Everything is in context.subscriptions; in-flight runs stop with their AbortControllers.
}
