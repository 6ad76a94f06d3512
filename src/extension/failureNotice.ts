/**
 * What an index run that stopped short tells the user: one error notification per failure class,
 * with the action that fixes it. Error notifications with buttons stay until dismissed (VS Code
 * keeps them sticky), so the reason is not lost after a few seconds the way a toast is.
 *  - auth:   Set API Key (then Resume once a key was saved), Retry, Show Log
 *  - quota:  Open Billing Docs, Retry, Show Log
 *  - others: Retry, Show Log (network and server errors were already retried visibly)
 */
import * as vscode from 'vscode';
import type { MissingReason } from '../core/engineTypes';
import type { CoverageInfo, ProviderName } from '../protocol/messages';
import { incompleteLine } from './coverageText';

/** The contract's error-code pages (§5), the documented place for arrears and quota. */
const BILLING_DOCS: Readonly<Record<string, string>> = {
  dashscope: 'https://www.alibabacloud.com/help/en/model-studio/error-code#overdue-payment',
  openai: 'https://platform.openai.com/settings/organization/billing',
};

export interface FailureNotice {
  readonly failure: MissingReason;
  readonly message: string;
  readonly provider: ProviderName;
  readonly coverage?: CoverageInfo;
}

export interface FailureActions {
  resume(): void;
  showLog(): void;
  /** Fires when an API key is saved. */
  readonly onDidChangeKey?: vscode.Event<unknown>;
}

export async function showFailureNotice(n: FailureNotice, act: FailureActions): Promise<void> {
  const setKey = vscode.l10n.t('Set API Key');
  const billing = vscode.l10n.t('Open Billing Docs');
  const retry = vscode.l10n.t('Retry');
  const showLog = vscode.l10n.t('Show Log');
  const buttons = n.failure === 'auth' ? [setKey, retry, showLog] : n.failure === 'quota' ? [billing, retry, showLog] : [retry, showLog];
  const head = n.coverage ? `${incompleteLine(n.coverage)}. ` : '';
  const pick = await vscode.window.showErrorMessage(`${head}${n.message}`, ...buttons);
  if (pick === retry) act.resume();
  else if (pick === showLog) act.showLog();
  else if (pick === billing) void vscode.env.openExternal(vscode.Uri.parse(BILLING_DOCS[n.provider] ?? BILLING_DOCS.dashscope));
  else if (pick === setKey) {
    let saved = false;
    const sub = act.onDidChangeKey?.(() => (saved = true));
    try {
      await vscode.commands.executeCommand('semanticWorkspace.setApiKey');
    } finally {
      sub?.dispose();
    }
    if (saved) act.resume();
  }
}
