/** Index, rebuild, clear and estimate: thin wrappers over the Indexer and the engines. */
import * as vscode from 'vscode';
import { endpointOf, readSettings } from '../settings';
import { endpointSourceText } from '../settingScope';
import { dryRunTotals } from '../consent';
import { rerankEstimateText } from '../rerank';
import { errorText } from '../log';
import type { Command, Services } from '../services';

async function clearIndex(s: Services): Promise<void> {
  const clear = vscode.l10n.t('Clear Index');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Delete the semantic index of this workspace? Your files are not touched.'),
    { modal: true },
    clear,
  );
  if (choice !== clear) return;
  for (const { engine } of await s.engines.all()) await engine.clear();
  s.engines.reset();
  await s.indexer.refreshStatus(false);
  void vscode.window.showInformationMessage(vscode.l10n.t('The semantic index was cleared.'));
}

async function estimateCost(s: Services): Promise<void> {
  const totals = await dryRunTotals(s.engines, vscode.l10n.t('Estimating indexing cost…'));
  s.log.channel.info(`estimate: ${totals.files} files, ${totals.chunks} chunks, ${totals.tokens} tokens, $${totals.cost.toFixed(4)} (${totals.label})`);
  const settings = readSettings();
  // Which setting and scope chose the endpoint: a value ignored in this window would show here.
  const where = settings.provider === 'offline' ? '' : ` ${vscode.l10n.t('Endpoint: {0}', endpointOf(settings))} (${endpointSourceText()}).`;
  const { provider } = await s.engines.effectiveProvider(settings);
  const rerank = rerankEstimateText(settings, provider, totals.tokens, totals.chunks);
  if (rerank) s.log.channel.info(`estimate: ${rerank}`);
  void vscode.window.showInformationMessage(
    vscode.l10n.t('{0} files, {1} chunks, about {2} tokens — estimated cost ${3} with {4}.', totals.files, totals.chunks, totals.tokens.toLocaleString(), totals.cost.toFixed(4), totals.label) + where + (rerank ? ` ${rerank}` : ''),
  );
}

function guarded(fn: () => Promise<unknown>): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (e) {
      void vscode.window.showErrorMessage(errorText(e));
    }
  };
}

export function indexCommands(s: Services): Command[] {
  return [
    { id: 'semanticWorkspace.indexWorkspace', execute: guarded(async () => { await s.indexer.indexAll(); s.live(); }) },
    { id: 'semanticWorkspace.rebuildIndex', execute: guarded(async () => { await s.indexer.indexAll({ rebuild: true }); s.live(); }) },
    { id: 'semanticWorkspace.clearIndex', execute: guarded(() => clearIndex(s)) },
    { id: 'semanticWorkspace.estimateCost', execute: guarded(() => estimateCost(s)) },
  ];
}
