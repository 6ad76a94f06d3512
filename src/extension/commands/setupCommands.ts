/** Keys, provider choice, consent, log: the "setup" commands. */
import * as vscode from 'vscode';
import type { ProviderId } from '../../core/types';
import { readSettings } from '../settings';
import type { Command, Services } from '../services';

async function pickRemote(current: ProviderId): Promise<Exclude<ProviderId, 'offline'> | undefined> {
  if (current === 'dashscope' || current === 'openai') return current;
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'DashScope', description: vscode.l10n.t('Alibaba Cloud Model Studio'), id: 'dashscope' as const },
      { label: vscode.l10n.t('OpenAI-compatible'), id: 'openai' as const },
    ],
    { placeHolder: vscode.l10n.t('Which service is this key for?') },
  );
  return pick?.id;
}

async function setApiKey(s: Services): Promise<void> {
  const provider = await pickRemote(readSettings().provider);
  if (!provider) return;
  const key = await vscode.window.showInputBox({
    title: vscode.l10n.t('Set API Key'),
    prompt: provider === 'dashscope'
      ? vscode.l10n.t('DashScope API key (keys are region-specific). Stored in the OS keychain, never in settings.')
      : vscode.l10n.t('API key for the OpenAI-compatible endpoint. Stored in the OS keychain, never in settings.'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim().length < 8 || /\s/.test(v.trim()) ? vscode.l10n.t('That does not look like an API key.') : undefined),
  });
  if (!key) return;
  await s.keys.set(provider, key.trim());
  s.engines.reset();
  await s.indexer.refreshStatus(false);
  void vscode.window.showInformationMessage(vscode.l10n.t('API key saved.'));
}

async function clearApiKey(s: Services): Promise<void> {
  const settings = readSettings();
  const provider = settings.provider === 'openai' ? 'openai' : 'dashscope';
  await s.keys.clear(provider);
  s.engines.reset();
  await s.indexer.refreshStatus(false);
  void vscode.window.showInformationMessage(vscode.l10n.t('API key removed.'));
}

async function chooseProvider(s: Services): Promise<void> {
  const current = readSettings().provider;
  const items: (vscode.QuickPickItem & { id: ProviderId })[] = [
    { id: 'offline', label: `$(lock) ${vscode.l10n.t('Offline (keyword + LSA)')}`, detail: vscode.l10n.t('Nothing leaves this machine. Good keyword search, basic semantics.') },
    { id: 'dashscope', label: `$(cloud) DashScope text-embedding-v4`, detail: vscode.l10n.t('Best quality, multilingual (Chinese and English). Needs an API key; text is uploaded after your consent.') },
    { id: 'openai', label: `$(globe) ${vscode.l10n.t('OpenAI-compatible endpoint')}`, detail: vscode.l10n.t('Any /v1/embeddings server, e.g. a local one. Needs a base URL.') },
  ];
  for (const i of items) if (i.id === current) i.description = vscode.l10n.t('current');
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Choose Provider') });
  if (!pick) return;
  if (pick.id !== 'offline' && !vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(vscode.l10n.t('This workspace is in Restricted Mode: only the offline provider runs until you trust it.'));
  }
  // Machine-independent choice: the user's settings, unless the workspace already overrides it.
  const c = vscode.workspace.getConfiguration('semanticWorkspace');
  const target = c.inspect('provider')?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await c.update('provider', pick.id, target);
  if (pick.id !== 'offline' && !(await s.keys.get(pick.id))) await setApiKey(s);
}

async function revokeConsent(s: Services): Promise<void> {
  await s.consent.revoke();
  void vscode.window.showInformationMessage(vscode.l10n.t('Consent revoked. Nothing more is uploaded from this workspace until you agree again.'));
}

export function setupCommands(s: Services): Command[] {
  return [
    { id: 'semanticWorkspace.setApiKey', execute: () => setApiKey(s) },
    { id: 'semanticWorkspace.clearApiKey', execute: () => clearApiKey(s) },
    { id: 'semanticWorkspace.chooseProvider', execute: () => chooseProvider(s) },
    { id: 'semanticWorkspace.revokeConsent', execute: () => revokeConsent(s) },
    { id: 'semanticWorkspace.showLog', execute: () => s.log.show() },
  ];
}
