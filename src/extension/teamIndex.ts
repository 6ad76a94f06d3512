/**
 * The team index in VS Code (issue #16): one TeamIndex (one connection) per workspace folder,
 * attached to its engine only in a trusted workspace running a cloud provider, and used only after
 * the consent dialog named its host. Every run's outcome goes to the status bar and the sidebar
 * ("team index: N chunks shared, M embedded locally"); a database that fails gives one notification
 * with the action that fixes it, and the local index and local search go on without it.
 */
import * as vscode from 'vscode';
import type { Engine, TeamIndexReport } from '../core/engineTypes';
import { TeamIndex, TeamIndexError } from '../core/team';
import type { ProviderId } from '../core/types';
import type { TeamStatusInfo } from '../protocol/messages';
import { errorText, type Log } from './log';
import type { StatusModel } from './status';
import { ConsentedTeam, withTeam } from './teamEngine';
import { SET_TEAM_PASSWORD_COMMAND, TEAM_URL, readTeamSettings, type TeamSecrets } from './teamSettings';
import { SECTION } from './settings';

/** After a failed remote search, searches stay local this long before the database is tried again. */
const REMOTE_RETRY_MS = 30_000;

interface FolderOutcome {
  readonly report: TeamIndexReport;
  readonly embedded: number;
}

/** A remote search failed with no local index to answer it: what the search shows. */
function noFallbackText(host: string, e: unknown): string {
  return vscode.l10n.t('The team index at {0} could not answer the search ({1}), and this workspace has no local index to fall back on. Run "Index Workspace" to build the local index.', host, errorText(e));
}

export class TeamIndexes implements vscode.Disposable {
  private readonly open = new Map<string, ConsentedTeam>();
  private readonly outcomes = new Map<string, FolderOutcome>();
  private remoteDownUntil = 0;
  private remoteNote: string | undefined;
  /** Whether the last failed remote search fell back to a local index (false: it had none). */
  private remoteLocal = true;
  /** Failures already notified (kind + host), until the team index works again. */
  private readonly noticed = new Set<string>();
  /** The last notification's text and how many were shown (the test API: notifications cannot be read back). */
  lastNotice: string | undefined;
  notices = 0;

  constructor(
    private readonly secrets: TeamSecrets,
    private readonly status: StatusModel,
    private readonly log: Log,
    /** This workspace consented to the team index's host (and the workspace is trusted). */
    private readonly allowed: () => boolean,
  ) {}

  /**
   * The team port and engine wrapper for a folder's engine, or undefined when no team index is
   * configured or it cannot apply (untrusted workspace, offline provider).
   */
  async attach(folder: vscode.WorkspaceFolder, provider: ProviderId): Promise<{ port: ConsentedTeam; wrap(engine: Engine): Engine } | undefined> {
    const key = folder.uri.toString();
    // Not awaited: closing a connection to a database that hangs would hang the engine's opening.
    void this.open.get(key)?.close().catch(() => undefined);
    this.open.delete(key);
    const t = readTeamSettings(folder.uri);
    if (!t) {
      this.outcomes.clear();
      this.remoteNote = undefined;
      if (this.status.current.team) this.status.set({ team: undefined });
      return undefined;
    }
    if (!vscode.workspace.isTrusted || provider === 'offline') {
      const detail = !vscode.workspace.isTrusted
        ? vscode.l10n.t('Restricted Mode: the team index at {0} is not used until you trust this workspace.', t.host)
        : vscode.l10n.t('The team index at {0} is not used with the offline provider (its vectors are fitted per workspace). Choose DashScope or an OpenAI-compatible endpoint to share vectors.', t.host);
      this.status.set({ team: { ok: false, text: vscode.l10n.t('team index not used'), detail } });
      return undefined;
    }
    const inner = new TeamIndex({ url: await this.secrets.connectionUrl(t.url), root: folder.uri.fsPath, repoId: t.repoId, storeText: t.storeText, logger: this.log.logger });
    const port = new ConsentedTeam(inner, this.allowed, () => vscode.l10n.t('This workspace has not agreed to use the team index at {0}: run "Index Workspace" to see what would be sent and agree.', t.host));
    this.open.set(key, port);
    port.onPublishing = () => this.status.set({ team: { ok: true, text: vscode.l10n.t('team index: publishing…'), detail: vscode.l10n.t('Publishing the snapshot to the team index at {0}; the local index is already complete.', t.host) } });
    return {
      port,
      wrap: (engine) => withTeam(engine, port, {
        indexed: (report, embedded, live) => this.indexed(key, port, report, embedded, live),
        remoteOn: () => readTeamSettings(folder.uri)?.remoteSearch === true && this.allowed(),
        retryDue: () => Date.now() >= this.remoteDownUntil,
        noFallback: (e) => new Error(noFallbackText(t.host, e)),
        remoteFailed: (e, hasLocal) => this.remoteFailed(port, e, hasLocal),
        remoteWorked: () => this.remoteWorked(),
      }),
    };
  }

  /**
   * Remote search can answer without a local index: a folder's engine has the team index attached
   * (trusted workspace, cloud provider), its remoteSearch setting is on, and this workspace consented.
   */
  remoteSearchReady(): boolean {
    return this.allowed() && [...this.open.keys()].some((k) => readTeamSettings(vscode.Uri.parse(k))?.remoteSearch === true);
  }

  /** Connections of engines that were dropped (settings, key, password or trust changed). */
  closeAll(): void {
    const all = [...this.open.values()];
    this.open.clear();
    // Settings, key or trust changed: the next search tries the database again, and a failure is told again.
    this.remoteDownUntil = 0;
    this.noticed.clear();
    for (const p of all) void p.close().catch(() => undefined);
  }

  private indexed(key: string, port: ConsentedTeam, report: TeamIndexReport, embedded: number, live: boolean): void {
    // A live update's own counts are small: the status keeps the last full run's, unless this one failed.
    if (live && !report.error) return;
    this.outcomes.set(key, { report, embedded });
    if (report.error) {
      if (report.error.kind === 'incomplete' || report.error.kind === 'consent') this.log.channel.info(report.error.message);
      else {
        this.log.channel.warn(`team index ${report.host}: ${report.error.message}`);
        // A dead connection is dropped: the next run or search connects again (saves wait a minute).
        void port.inner.close();
        port.quietUntil = Date.now() + 60_000;
        this.notify(report.error.kind, report.host, report.error.message);
      }
    } else {
      this.noticed.clear();
      port.quietUntil = 0;
      const p = report.published;
      if (p) this.log.channel.info(`team index ${report.host}: ${report.shared} chunks shared, ${embedded} embedded locally; snapshot #${p.snapshotId}${p.existed ? ' (already published)' : ` published (${p.chunkRows} chunks, ${p.contentRows} new vectors, ${p.seconds.toFixed(1)} s)`}`);
    }
    this.render();
  }

  private remoteFailed(port: ConsentedTeam, e: unknown, hasLocal: boolean): void {
    const err = e instanceof TeamIndexError ? e : undefined;
    const message = errorText(e);
    this.remoteDownUntil = Date.now() + REMOTE_RETRY_MS;
    void port.inner.close();
    if (!hasLocal) {
      // The search itself shows the error (noFallbackText); no notification saying search goes on locally.
      this.remoteNote = noFallbackText(port.inner.host, e);
      this.remoteLocal = false;
      this.log.channel.warn(`team index ${port.inner.host}: remote search failed, and there is no local index: ${message}`);
      this.render();
      return;
    }
    this.remoteNote = vscode.l10n.t('Remote search failed ({0}); results come from the local index. The team index is tried again in {1} s.', message, REMOTE_RETRY_MS / 1000);
    this.remoteLocal = true;
    this.log.channel.warn(`team index ${port.inner.host}: remote search failed, searched locally: ${message}`);
    this.notify(err?.kind ?? 'database', port.inner.host, message);
    this.render();
  }

  private remoteWorked(): void {
    if (this.remoteNote === undefined) return;
    this.remoteNote = undefined;
    this.noticed.clear();
    this.render();
  }

  /** The status line of the last runs (summed over folders) and the remote search's fallback. */
  private render(): void {
    const outcomes = [...this.outcomes.values()];
    const failed = outcomes.find((o) => o.report.error && o.report.error.kind !== 'incomplete');
    const host = outcomes[0]?.report.host ?? '';
    let team: TeamStatusInfo | undefined;
    if (failed?.report.error) {
      const e = failed.report.error;
      team = {
        ok: false,
        text: e.kind === 'auth' ? vscode.l10n.t('team index: password refused') : e.kind === 'consent' ? vscode.l10n.t('team index: not agreed') : e.kind === 'unreachable' || e.kind === 'lost' ? vscode.l10n.t('team index unreachable') : vscode.l10n.t('team index error'),
        detail: vscode.l10n.t('{0} The local index is complete and search works locally.', e.message),
      };
    } else if (outcomes.length) {
      const shared = outcomes.reduce((n, o) => n + o.report.shared, 0);
      const embedded = outcomes.reduce((n, o) => n + o.embedded, 0);
      const snaps = outcomes.map((o) => o.report.published).filter((p) => !!p);
      team = {
        ok: true,
        text: vscode.l10n.t('team index: {0} chunks shared, {1} embedded locally', shared.toLocaleString(), embedded.toLocaleString()),
        detail: snaps.length
          ? vscode.l10n.t('Team index {0}: snapshot #{1} published ({2} chunks).', host, snaps.map((p) => p.snapshotId).join(', '), snaps.reduce((n, p) => n + p.chunkRows, 0).toLocaleString())
          : vscode.l10n.t('Team index {0}: nothing published by the last run.', host),
      };
    }
    if (this.remoteNote) {
      const text = this.remoteLocal ? vscode.l10n.t('team index unreachable · searching locally') : vscode.l10n.t('team index unreachable · no local index');
      team = { ok: false, text, detail: [this.remoteNote, team?.detail].filter(Boolean).join('\n') };
    }
    this.status.set({ team });
  }

  /** One notification per failure (kind + host) until the team index works again. */
  private notify(kind: string, host: string, message: string): void {
    const id = `${kind}|${host}`;
    if (this.noticed.has(id)) return;
    this.noticed.add(id);
    const setPassword = vscode.l10n.t('Set Team Index Password…');
    const openSettings = vscode.l10n.t('Open Settings');
    const showLog = vscode.l10n.t('Show Log');
    const actions = kind === 'auth' ? [setPassword, openSettings, showLog] : [openSettings, showLog];
    this.lastNotice = vscode.l10n.t('Team index: {0} Indexing and search go on locally.', message);
    this.notices++;
    void vscode.window.showWarningMessage(this.lastNotice, ...actions).then((pick) => {
      if (pick === setPassword) void vscode.commands.executeCommand(SET_TEAM_PASSWORD_COMMAND);
      else if (pick === openSettings) void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.${TEAM_URL.split('.')[0]}`);
      else if (pick === showLog) this.log.show();
    });
  }

  dispose(): void {
    this.closeAll();
  }
}
