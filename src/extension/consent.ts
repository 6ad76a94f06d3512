/**
 * Explicit consent before the first upload of a workspace to a cloud endpoint. The dialog shows
 * what a dry run says will be sent (files, chunks, tokens, cost, endpoint, region). Consent is
 * remembered per workspace and per endpoint (a different endpoint asks again) and revocable.
 * A team index's database host is a destination too: named in the dialog and part of the consent.
 */
import * as vscode from 'vscode';
import type { Engines } from './engines';
import { errorText, type Log } from './log';
import { endpointOf, readSettings, requestEndpoint, type Settings } from './settings';
import { rerankEstimateText } from './rerank';
import { endpointSourceText } from './settingScope';
import { readTeamSettings, teamConsentLines } from './teamSettings';
import type { ProviderId } from '../core/types';

const KEY = 'semanticWorkspace.consent';

export interface DryRunTotals {
  readonly files: number;
  readonly chunks: number;
  readonly tokens: number;
  readonly cost: number;
  /** The provider label of the last folder (all folders share one provider). */
  readonly label: string;
}

/** What indexing every folder would send, from dry runs (nothing is embedded), with cancellable progress. */
export function dryRunTotals(engines: Engines, title: string): Thenable<DryRunTotals> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_p, token) => {
    const ac = new AbortController();
    token.onCancellationRequested(() => ac.abort());
    const t = { files: 0, chunks: 0, tokens: 0, cost: 0, label: '' };
    for (const { engine } of await engines.all()) {
      const r = await engine.index({ dryRun: true, signal: ac.signal });
      t.files += r.filesIndexed;
      t.chunks += r.chunks;
      t.tokens += r.tokens;
      t.cost += r.estimatedCostUSD ?? 0;
      t.label = (await engine.status()).label;
    }
    return t;
  });
}

/** Per provider and endpoint, and per team index host when one is named (another host asks again). */
function consentId(s: Settings): string {
  const team = s.provider === 'offline' ? undefined : readTeamSettings();
  return `${s.provider}|${endpointOf(s)}${team ? `|team:${team.host}` : ''}`;
}

export class Consent {
  constructor(
    private readonly state: vscode.Memento,
    private readonly engines: Engines,
    private readonly log: Log,
  ) {}

  private granted(): string[] {
    return this.state.get<string[]>(KEY, []);
  }

  /** True when the current provider is offline or this workspace already agreed to its endpoint. */
  has(settings: Settings = readSettings()): boolean {
    return settings.provider === 'offline' || this.granted().includes(consentId(settings));
  }

  /** True when what runs now may send text out: offline (whatever is configured) or consented. */
  async allowed(): Promise<boolean> {
    const settings = readSettings();
    const { provider } = await this.engines.effectiveProvider(settings);
    return provider === 'offline' || this.has(settings);
  }

  async revoke(): Promise<void> {
    await this.state.update(KEY, []);
  }

  /**
   * Asks (modal) unless consent exists. Returns false when the user declines or the dry run
   * fails; nothing is uploaded in that case.
   */
  async ensure(): Promise<boolean> {
    const settings = readSettings();
    const { provider } = await this.engines.effectiveProvider(settings);
    if (provider === 'offline' || this.has(settings)) return true;
    let totals: DryRunTotals;
    try {
      totals = await dryRunTotals(this.engines, vscode.l10n.t('Estimating what would be uploaded…'));
    } catch (e) {
      this.log.channel.error(`dry run failed: ${errorText(e)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Could not estimate the upload: {0}', errorText(e)));
      return false;
    }
    const detail = this.describe(settings, provider, totals);
    const upload = vscode.l10n.t('Upload and Index');
    const offline = vscode.l10n.t('Use Offline Instead');
    const choice = await vscode.window.showWarningMessage(
      teamConsentLines(provider).length ? vscode.l10n.t('Send this workspace to a cloud embedding service and the team index?') : vscode.l10n.t('Send this workspace to a cloud embedding service?'),
      { modal: true, detail },
      upload,
      offline,
    );
    if (choice === offline) {
      await vscode.workspace.getConfiguration('semanticWorkspace').update('provider', 'offline', vscode.ConfigurationTarget.Workspace);
      return false;
    }
    if (choice !== upload) return false;
    await this.grant(settings);
    return true;
  }

  /** The dialog's detail: every destination and what it gets (the test API reads the same text). */
  describe(settings: Settings, provider: ProviderId, totals: DryRunTotals): string {
    const target = requestEndpoint(settings);
    const region = target && 'region' in target && target.region ? target.region : '—';
    return [
      vscode.l10n.t('Provider: {0}', totals.label || settings.provider),
      // The URL the requests go to (the embedder's own resolver) and the setting + scope it came from.
      `${vscode.l10n.t('Endpoint: {0}', target?.url ?? endpointOf(settings))} (${endpointSourceText()})`,
      vscode.l10n.t('Region: {0}', String(region)),
      vscode.l10n.t('Files: {0}', totals.files.toLocaleString()),
      vscode.l10n.t('Chunks: {0}', totals.chunks.toLocaleString()),
      vscode.l10n.t('Estimated tokens: {0}', totals.tokens.toLocaleString()),
      vscode.l10n.t('Estimated cost: ${0}', totals.cost.toFixed(4)),
      ...[rerankEstimateText(settings, provider, totals.tokens, totals.chunks)].filter((x): x is string => !!x),
      '',
      vscode.l10n.t('Text of these files (with detected secrets scrubbed) will be sent to the endpoint above to compute embeddings. Files matching .gitignore, .semanticignore and the security excludes (.env, keys, certificates) are never read.'),
      // The team index's database is a destination too: its host and what it gets (teamSettings.ts).
      ...teamConsentLines(provider),
    ].join('\n');
  }

  /** The detail the dialog would show now, from a dry run (the test API: modals cannot be read in tests). */
  async preview(): Promise<string> {
    const settings = readSettings();
    const { provider } = await this.engines.effectiveProvider(settings);
    return this.describe(settings, provider, await dryRunTotals(this.engines, vscode.l10n.t('Estimating what would be uploaded…')));
  }

  /** Records consent for the configured endpoint (after the dialog; or the test suite, which cannot answer modals). */
  async grant(settings: Settings = readSettings()): Promise<void> {
    if (settings.provider === 'offline' || this.has(settings)) return;
    await this.state.update(KEY, [...this.granted(), consentId(settings)]);
    this.log.channel.info(`consent granted for ${endpointOf(settings)}`);
  }
}
