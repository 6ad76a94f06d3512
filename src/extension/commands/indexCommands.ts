/** Index, rebuild, clear and estimate: thin wrappers over the Indexer and the engines. */
import * as vscode from 'vscode';
import { endpointOf, readSettings } from '../settings';
import { endpointSourceText } from '../settingScope';
import { dryRunTotals } from '../consent';
import { rerankEstimateText } from '../rerank';
import { errorText } from '../log';
import type { Command, Services } from '../services';

/** The running provider's index, named as the status bar names it. */
function indexName(s: Services): string {
  const { provider, label } = s.status.current;
  return provider === 'offline' ? vscode.l10n.t('offline (keyword + LSA)') : label || provider;
}

/**
 * Deletes exactly what the dialog names: the running provider's index. Indexes of other providers
 * (the offline one next to DashScope, another model) stay, so switching back costs nothing.
 */
async function clearIndex(s: Services): Promise<void> {
  await s.indexer.refreshStatus(false);
  const name = indexName(s);
  const clear = vscode.l10n.t('Clear Index');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Delete the {0} index of this workspace?', name),
    { modal: true, detail: vscode.l10n.t('Indexes made with other providers and your files are not touched.') },
    clear,
  );
  if (choice !== clear) return;
  for (const { engine } of await s.engines.all()) await engine.clear({ onlyThisProvider: true });
  s.engines.reset();
  await s.indexer.refreshStatus(false);
  void vscode.window.showInformationMessage(vscode.l10n.t('The {0} index was cleared.', name));
}

/**
 * Says what a rebuild does before doing it: every file is re-read and re-chunked and the keyword
 * index is rebuilt; offline the model is re-fitted, so every vector is new. With a cloud provider
 * vectors of unchanged text are reused — nothing already paid for is uploaded again.
 */
async function rebuildIndex(s: Services): Promise<void> {
  await s.indexer.refreshStatus(false);
  const offline = s.status.current.provider === 'offline';
  const rebuild = vscode.l10n.t('Rebuild');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('Rebuild the {0} index from scratch?', indexName(s)),
    {
      modal: true,
      detail: offline
        ? vscode.l10n.t('Every file is read and chunked again, the keyword index is rebuilt and the offline model is fitted anew: every vector is computed again.')
        : vscode.l10n.t('Every file is read and chunked again and the keyword index is rebuilt. Vectors of unchanged text are reused, so nothing already embedded is uploaded again. To embed everything anew, run Clear Index, then Index Workspace.'),
    },
    rebuild,
  );
  if (choice !== rebuild) return;
  await s.indexer.indexAll({ rebuild: true });
  s.live();
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
    { id: 'semanticWorkspace.rebuildIndex', execute: guarded(() => rebuildIndex(s)) },
    { id: 'semanticWorkspace.clearIndex', execute: guarded(() => clearIndex(s)) },
    { id: 'semanticWorkspace.estimateCost', execute: guarded(() => estimateCost(s)) },
  ];
}
