/**
 * One engine per workspace folder, opened lazily on first use (activation stays cheap). The
 * index lives in the extension's per-workspace storage, never in the repository. In an
 * untrusted workspace every engine runs the offline provider, whatever the settings say.
 * Index runs go to a worker process (`openHostEngine`): the extension host, shared by every other
 * extension, only receives progress and re-opens what the run committed.
 */
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { openEngine } from '../core/engine';
import { openHostEngine } from '../core/indexWorker';
import type { Engine } from '../core/engineTypes';
import type { ProviderId } from '../core/types';
import type { Log } from './log';
import type { KeyStore } from './secrets';
import { engineConfig, readSettings, type Settings } from './settings';
import type { TeamIndexes } from './teamIndex';

export interface EffectiveProvider {
  readonly provider: ProviderId;
  /** Why the configured provider is not the one running. */
  readonly downgraded?: 'untrusted' | 'noKey';
}

export class Engines implements vscode.Disposable {
  private readonly open = new Map<string, Promise<Engine>>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when engines were dropped (settings, key or trust changed): cached results are stale. */
  readonly onDidReset = this.changed.event;
  private generation = 0;
  /** The team index (teamIndex.ts), set by activate: attached to engines it applies to. */
  team: TeamIndexes | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly keys: KeyStore,
    private readonly log: Log,
  ) {}

  /** Folders we can index: only local (`file:`) folders of the workspace. */
  folders(): readonly vscode.WorkspaceFolder[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  }

  folderByKey(key: string): vscode.WorkspaceFolder | undefined {
    return this.folders().find((f) => f.uri.toString() === key);
  }

  async effectiveProvider(settings: Settings = readSettings()): Promise<EffectiveProvider> {
    if (settings.provider === 'offline') return { provider: 'offline' };
    if (!vscode.workspace.isTrusted) return { provider: 'offline', downgraded: 'untrusted' };
    if (!(await this.keys.get(settings.provider))) return { provider: 'offline', downgraded: 'noKey' };
    return { provider: settings.provider };
  }

  /** `<storage>/indexes/<name>-<hash of the folder path>`: stable across restarts, so runs resume. */
  indexDir(folder: vscode.WorkspaceFolder): string {
    const base = this.context.storageUri ?? this.context.globalStorageUri;
    const id = crypto.createHash('sha256').update(folder.uri.fsPath).digest('hex').slice(0, 12);
    const name = folder.name.replace(/[^\w.-]+/g, '_').slice(0, 40) || 'root';
    return vscode.Uri.joinPath(base, 'indexes', `${name}-${id}`).fsPath;
  }

  get(folder: vscode.WorkspaceFolder): Promise<Engine> {
    const key = folder.uri.toString();
    let p = this.open.get(key);
    if (!p) {
      const generation = this.generation;
      p = this.create(folder);
      this.open.set(key, p);
      // A failed open is not cached: the next call retries (the key may have been set meanwhile).
      p.catch(() => {
        if (this.generation === generation && this.open.get(key) === p) this.open.delete(key);
      });
    }
    return p;
  }

  private async create(folder: vscode.WorkspaceFolder): Promise<Engine> {
    const settings = readSettings(folder.uri);
    const { provider } = await this.effectiveProvider(settings);
    const apiKey = await this.keys.get(provider);
    const config = engineConfig(settings, folder.uri.fsPath, this.indexDir(folder), provider, apiKey, this.log.logger);
    this.log.channel.info(`opening engine for ${folder.name} (${provider})`);
    const team = await this.team?.attach(folder, provider);
    if (!team) return openHostEngine(config);
    // A team index's port holds a database connection a worker process cannot share: in-process.
    return team.wrap(await openEngine({ ...config, team: team.port }));
  }

  /** Every folder's engine; folders whose engine fails to open are logged and left out. */
  async all(): Promise<{ folder: vscode.WorkspaceFolder; engine: Engine }[]> {
    const out: { folder: vscode.WorkspaceFolder; engine: Engine }[] = [];
    for (const folder of this.folders()) {
      try {
        out.push({ folder, engine: await this.get(folder) });
      } catch (e) {
        this.log.channel.error(`${folder.name}: ${e instanceof Error ? e.message : String(e)}`);
        if (this.folders().length === 1) throw e;
      }
    }
    return out;
  }

  /** Drops every open engine; they reopen with the current settings, key and trust on next use. */
  reset(): void {
    this.generation++;
    this.open.clear();
    this.team?.closeAll();
    this.changed.fire();
  }

  dispose(): void {
    this.open.clear();
    this.changed.dispose();
  }
}
