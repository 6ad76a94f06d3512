/**
 * Settings that cannot apply say so. The endpoint settings are machine-scoped: in a remote window
 * (SSH, WSL, Dev Containers, Codespaces, code-server) VS Code ignores their value in the local
 * User settings and uses the Remote settings instead — silently, so a user who set a baseUrl in
 * User settings would upload to the default host. Here: where each value in use came from
 * (setting + scope, for the consent dialog and the cost estimate), and a one-time notice with
 * "Move to Remote Settings" when a machine-scoped value sits where it is ignored.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { redactUrl } from '../core/team';
import { MACHINE_SCOPED, SECTION, readSettings, settingOrigin, type SettingSource as Origin } from './settings';
import type { Log } from './log';

export { MACHINE_SCOPED };

export interface SettingSource {
  /** Full id, e.g. `semanticWorkspace.dashscope.baseUrl`. */
  readonly setting: string;
  /** Localized: "Workspace settings", "Remote settings", "User settings", "default". */
  readonly scope: string;
  /** Set when an environment variable overrides the setting (test harnesses, the CLI's variables). */
  readonly env?: string;
}

/** Where the value in use of `key` (under semanticWorkspace.) comes from: settings.ts `settingOrigin`, worded for the user. */
export function settingSource(key: string): SettingSource {
  const o = settingOrigin<unknown>(vscode.workspace.getConfiguration(SECTION), key, undefined);
  const setting = `${SECTION}.${key}`;
  if (o.source === 'environment (tests only)') return { setting, scope: vscode.l10n.t('environment'), env: o.setting };
  return { setting, scope: scopeText(o.source) };
}

function scopeText(source: Exclude<Origin, 'environment (tests only)'>): string {
  switch (source) {
    case 'folder settings': return vscode.l10n.t('Folder settings');
    case 'workspace settings': return vscode.l10n.t('Workspace settings');
    case 'user or machine settings': return vscode.env.remoteName ? vscode.l10n.t('Remote settings') : vscode.l10n.t('User settings');
    case 'default': return vscode.l10n.t('default');
  }
}

/** "semanticWorkspace.dashscope.baseUrl in Workspace settings" for the endpoint in use. */
export function endpointSourceText(): string {
  const s = readSettings();
  if (s.provider === 'offline') return '';
  const key = s.provider === 'openai' ? 'openai.baseUrl' : s.remote.baseUrl ? 'dashscope.baseUrl' : 'dashscope.region';
  const src = settingSource(key);
  if (src.env) return vscode.l10n.t('from {0} in the environment', src.env);
  return src.scope === vscode.l10n.t('default') ? vscode.l10n.t('{0}: default', src.setting) : vscode.l10n.t('{0} in {1}', src.setting, src.scope);
}

export interface IgnoredSetting {
  readonly key: string;
  /** The value in the local User settings, which this window ignores. */
  readonly value: unknown;
  /** The value in use instead (Remote settings or the default; the environment's in tests). */
  readonly inUse: unknown;
}

/**
 * Machine-scoped values in the User settings file that this remote window ignores. The file is
 * read where the extension host can see it (code-server keeps User settings next to the
 * extension's global storage); elsewhere nothing is found and nothing is claimed.
 */
export function findIgnoredMachineSettings(userSettingsFile: string | undefined, remoteName = vscode.env.remoteName): IgnoredSetting[] {
  if (!remoteName || !userSettingsFile) return [];
  let user: Record<string, unknown>;
  try {
    user = parseJsonc(fs.readFileSync(userSettingsFile, 'utf8'));
  } catch {
    return [];
  }
  const c = vscode.workspace.getConfiguration(SECTION);
  const out: IgnoredSetting[] = [];
  for (const key of MACHINE_SCOPED) {
    const value = user[`${SECTION}.${key}`];
    if (value === undefined) continue;
    if (JSON.stringify(c.inspect(key)?.globalValue) !== JSON.stringify(value)) out.push({ key, value, inUse: settingOrigin<unknown>(c, key, undefined).value });
  }
  return out;
}

/** `<user-data>/User/settings.json`, from the extension's global storage `<user-data>/User/globalStorage/<id>`. */
export function userSettingsFileOf(context: vscode.ExtensionContext): string | undefined {
  const g = context.globalStorageUri;
  if (g.scheme !== 'file') return undefined;
  const file = path.join(path.dirname(path.dirname(g.fsPath)), 'settings.json');
  return fs.existsSync(file) ? file : undefined;
}

/** A value as the notice and the log show it: a team index URL without its password. */
const shown = (v: unknown): string => JSON.stringify(typeof v === 'string' && /^postgres(ql)?:\/\//.test(v) ? redactUrl(v) : v);

const NOTICE_KEY = 'semanticWorkspace.ignoredMachineSettingsNoticed';

/** Once per setting and value: says which value is ignored, which one is used, and offers to move it. */
export async function noticeIgnoredMachineSettings(context: vscode.ExtensionContext, log: Log): Promise<void> {
  const ignored = findIgnoredMachineSettings(userSettingsFileOf(context));
  const seen = context.globalState.get<string[]>(NOTICE_KEY, []);
  for (const s of ignored) {
    const id = `${s.key}=${JSON.stringify(s.value)}`;
    if (seen.includes(id)) continue;
    seen.push(id);
    await context.globalState.update(NOTICE_KEY, seen);
    const setting = `${SECTION}.${s.key}`;
    log.channel.warn(`${setting} = ${shown(s.value)} in User settings is ignored in this remote window (machine-scoped); in use: ${shown(s.inUse)}`);
    const move = vscode.l10n.t('Move to Remote Settings');
    const pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} is set to {1} in your User settings, but this remote window ignores machine-scoped settings there and uses {2}. Set it in the Remote settings to apply it here.', setting, shown(s.value), s.inUse === undefined || s.inUse === '' ? vscode.l10n.t('the default') : shown(s.inUse)),
      move,
    );
    if (pick !== move) continue;
    // In a remote window, the Global target of a machine-scoped setting is the Remote settings.
    await vscode.workspace.getConfiguration(SECTION).update(s.key, s.value, vscode.ConfigurationTarget.Global);
    const now = vscode.workspace.getConfiguration(SECTION).inspect(s.key)?.globalValue;
    if (JSON.stringify(now) === JSON.stringify(s.value)) void vscode.window.showInformationMessage(vscode.l10n.t('{0} is now set in the Remote settings.', setting));
    else void vscode.commands.executeCommand('workbench.action.openRemoteSettings');
  }
}

/** settings.json is JSON with comments and trailing commas. */
export function parseJsonc(text: string): Record<string, unknown> {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i < 0) break;
      i++;
    } else out += ch;
  }
  const parsed: unknown = JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}
