/** Keys, provider choice, consent, log: the "setup" commands. */
import * as vscode from 'vscode';
import type { ProviderId } from '../../core/types';
import { readSettings } from '../settings';
import type { Command, Services } from '../services';

type Remote = Exclude<ProviderId, 'offline'>;

const validKey = (v: string): string | undefined =>
  v.trim().length < 8 || /\s/.test(v.trim()) ? vscode.l10n.t('That does not look like an API key.') : undefined;

/**
 * The key goes into a password box at once — never into a picker's filter field, where a pasted key
 * sits in plain text. With a cloud provider configured the service is known; otherwise the box is
 * for DashScope, and a title button switches it to an OpenAI-compatible endpoint.
 */
function askKey(configured: ProviderId): Promise<{ provider: Remote; key: string } | undefined> {
  const known = configured === 'dashscope' || configured === 'openai';
  let provider: Remote = configured === 'openai' ? 'openai' : 'dashscope';
  const box = vscode.window.createInputBox();
  const swapIcon = new vscode.ThemeIcon('arrow-swap');
  const render = (): void => {
    box.title = provider === 'dashscope' ? vscode.l10n.t('Set API Key: DashScope') : vscode.l10n.t('Set API Key: OpenAI-compatible endpoint');
    box.prompt = provider === 'dashscope'
      ? vscode.l10n.t('DashScope API key (keys are region-specific). Stored in the OS keychain, never in settings.')
      : vscode.l10n.t('API key for the OpenAI-compatible endpoint. Stored in the OS keychain, never in settings.');
    const tooltip = provider === 'dashscope' ? vscode.l10n.t('The key is for an OpenAI-compatible endpoint') : vscode.l10n.t('The key is for DashScope');
    box.buttons = known ? [] : [{ iconPath: swapIcon, tooltip }];
  };
  box.password = true;
  box.ignoreFocusOut = true;
  render();
  return new Promise((resolve) => {
    let answer: { provider: Remote; key: string } | undefined;
    box.onDidChangeValue((v) => (box.validationMessage = v ? validKey(v) : undefined));
    box.onDidTriggerButton(() => {
      provider = provider === 'dashscope' ? 'openai' : 'dashscope';
      render();
    });
    box.onDidAccept(() => {
      const problem = validKey(box.value);
      if (problem) {
        box.validationMessage = problem;
        return;
      }
      answer = { provider, key: box.value.trim() };
      box.hide();
    });
    box.onDidHide(() => {
      box.dispose();
      resolve(answer);
    });
    box.show();
  });
}

async function setApiKey(s: Services): Promise<void> {
  const answer = await askKey(readSettings().provider);
  if (!answer) return;
  await s.keys.set(answer.provider, answer.key);
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
