/**
 * The team index's settings and its password. The URL is machine-scoped (a workspace cannot send
 * this machine's code or credentials to a database of its choosing) and never holds a password:
 * a pasted URL with one has it moved into SecretStorage and stripped from the setting. The
 * password is stored per user@host:port, so changing the URL to another server never sends it there.
 */
import * as vscode from 'vscode';
import { hostOf } from '../core/team';
import type { ProviderId } from '../core/types';
import type { Log } from './log';
import { SECTION } from './settings';

export const TEAM_URL = 'teamIndex.url';
export const TEAM_SETTINGS = ['teamIndex.url', 'teamIndex.repoId', 'teamIndex.storeText'].map((k) => `${SECTION}.${k}`);
export const SET_TEAM_PASSWORD_COMMAND = 'semanticWorkspace.setTeamIndexPassword';
export const CLEAR_TEAM_PASSWORD_COMMAND = 'semanticWorkspace.clearTeamIndexPassword';
const SECRET_PREFIX = 'semanticWorkspace.teamIndex.password:';

export interface TeamSettings {
  /** postgres:// URL without a password (from user/machine settings only). */
  readonly url: string;
  /** `host:port`: what the consent names. */
  readonly host: string;
  readonly repoId?: string;
  /** Search the team's snapshot in PostgreSQL (falls back to the local index). */
  readonly remoteSearch: boolean;
  /** Also store chunk texts in the team index (off: vectors, hashes and locations only). */
  readonly storeText: boolean;
}

/** Machine-scoped: only the user/remote (or machine) settings count, as VS Code itself does. */
function machineValue<T>(key: string): T | undefined {
  const i = vscode.workspace.getConfiguration(SECTION).inspect<T>(key);
  return i?.globalValue;
}

/** The team index named in settings, or undefined when none is. */
export function readTeamSettings(scope?: vscode.ConfigurationScope): TeamSettings | undefined {
  const url = machineValue<string>(TEAM_URL)?.trim();
  if (!url) return undefined;
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    url: withoutPassword(url),
    host: hostOf(url),
    repoId: c.get<string>('teamIndex.repoId')?.trim() || undefined,
    remoteSearch: c.get<boolean>('teamIndex.remoteSearch', false) === true,
    storeText: machineValue<boolean>('teamIndex.storeText') === true,
  };
}

export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

function passwordOf(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    return undefined;
  }
}

/** Which account a password belongs to: `user@host:port`. */
function accountOf(url: string): string {
  try {
    const u = new URL(url);
    return `${decodeURIComponent(u.username) || 'postgres'}@${hostOf(url)}`;
  } catch {
    return hostOf(url);
  }
}

export class TeamSecrets {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(url: string): Thenable<string | undefined> {
    return this.secrets.get(SECRET_PREFIX + accountOf(url));
  }

  set(url: string, password: string): Thenable<void> {
    return this.secrets.store(SECRET_PREFIX + accountOf(url), password);
  }

  clear(url: string): Thenable<void> {
    return this.secrets.delete(SECRET_PREFIX + accountOf(url));
  }

  onDidChange(fn: () => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => e.key.startsWith(SECRET_PREFIX) && fn());
  }

  /** The URL the connection uses: the setting's, with the stored password (in memory only). */
  async connectionUrl(url: string): Promise<string> {
    const password = await this.get(url);
    if (!password) return url;
    try {
      const u = new URL(url);
      u.password = encodeURIComponent(password);
      return u.toString();
    } catch {
      return url;
    }
  }
}

/**
 * A URL with a password in the setting: the password goes to SecretStorage, the setting keeps the
 * URL without it (in every scope it was found), and the user is told. Returns true when moved.
 */
export async function movePasswordOutOfSettings(secrets: TeamSecrets, log: Log): Promise<boolean> {
  const c = vscode.workspace.getConfiguration(SECTION);
  const i = c.inspect<string>(TEAM_URL);
  // Workspace values are ignored for a machine setting, but a password there should not stay in a
  // (possibly committed) file either; an untrusted workspace's files are left untouched.
  const scopes: [string | undefined, vscode.ConfigurationTarget][] = [
    [i?.globalValue, vscode.ConfigurationTarget.Global],
    ...(vscode.workspace.isTrusted ? [[i?.workspaceValue, vscode.ConfigurationTarget.Workspace], [i?.workspaceFolderValue, vscode.ConfigurationTarget.WorkspaceFolder]] as [string | undefined, vscode.ConfigurationTarget][] : []),
  ];
  let moved = false;
  for (const [value, target] of scopes) {
    const password = typeof value === 'string' ? passwordOf(value.trim()) : undefined;
    if (!value || !password) continue;
    await secrets.set(value.trim(), password);
    await c.update(TEAM_URL, withoutPassword(value.trim()), target);
    moved = true;
  }
  if (moved) {
    const host = hostOf(i?.globalValue ?? i?.workspaceValue ?? i?.workspaceFolderValue ?? '');
    log.channel.info(`team index ${host}: the password was moved from the setting into SecretStorage`);
    void vscode.window.showInformationMessage(
      vscode.l10n.t('The team index URL contained a password. It was moved into the OS keychain (SecretStorage) and removed from {0}.', `${SECTION}.${TEAM_URL}`),
    );
  }
  return moved;
}

export async function setTeamPassword(secrets: TeamSecrets): Promise<boolean> {
  const team = readTeamSettings();
  if (!team) {
    const open = vscode.l10n.t('Open Settings');
    const pick = await vscode.window.showWarningMessage(vscode.l10n.t('No team index is configured. Set {0} first (user or remote settings).', `${SECTION}.${TEAM_URL}`), open);
    if (pick === open) void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.${TEAM_URL}`);
    return false;
  }
  const password = await vscode.window.showInputBox({
    title: vscode.l10n.t('Team Index Password: {0}', accountOf(team.url)),
    prompt: vscode.l10n.t('Password of the team index database. Stored in the OS keychain, never in settings.'),
    password: true,
    ignoreFocusOut: true,
  });
  if (!password) return false;
  await secrets.set(team.url, password);
  void vscode.window.showInformationMessage(vscode.l10n.t('Team index password saved for {0}.', accountOf(team.url)));
  return true;
}

export async function clearTeamPassword(secrets: TeamSecrets): Promise<void> {
  const team = readTeamSettings();
  if (team) await secrets.clear(team.url);
  void vscode.window.showInformationMessage(vscode.l10n.t('Team index password removed.'));
}

/** The consent dialog's lines for the team index: its host, where it is set, and what it gets. */
export function teamConsentLines(provider: ProviderId): string[] {
  const t = provider === 'offline' || !vscode.workspace.isTrusted ? undefined : readTeamSettings();
  if (!t) return [];
  return [
    '',
    vscode.l10n.t('Team index (PostgreSQL): {0} ({1} in user or remote settings)', t.host, `${SECTION}.${TEAM_URL}`),
    ...(t.repoId ? [vscode.l10n.t('Repository name in the team index: {0}', t.repoId)] : []),
    t.storeText
      ? vscode.l10n.t('Vectors, content hashes, file paths, line ranges, symbols and chunk texts of these files will be published to the team index database above, and searches may query it.')
      : vscode.l10n.t('Vectors, content hashes, file paths, line ranges and symbols of these files (no file text) will be published to the team index database above, and searches may query it.'),
  ];
}
