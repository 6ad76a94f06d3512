/**
 * Wires the team index into the extension: the password commands, the engines' hook, and the
 * settings it follows (a URL pasted with a password has it moved to SecretStorage first).
 */
import * as vscode from 'vscode';
import type { Command, Services } from './services';
import { TeamIndexes } from './teamIndex';
import {
  CLEAR_TEAM_PASSWORD_COMMAND, SET_TEAM_PASSWORD_COMMAND, TEAM_SETTINGS, TeamSecrets, clearTeamPassword, movePasswordOutOfSettings, setTeamPassword,
} from './teamSettings';
import { SECTION } from './settings';

export function teamCommands(s: Services): Command[] {
  const secrets = new TeamSecrets(s.context.secrets);
  return [
    { id: SET_TEAM_PASSWORD_COMMAND, execute: () => setTeamPassword(secrets) },
    { id: CLEAR_TEAM_PASSWORD_COMMAND, execute: () => clearTeamPassword(secrets) },
  ];
}

/**
 * Creates the team index manager and hooks it into the engines (before any engine opens). Its
 * use needs a trusted workspace and this workspace's consent for the database host.
 */
export function registerTeamIndex(s: Services, reopen: () => void): vscode.Disposable {
  const secrets = new TeamSecrets(s.context.secrets);
  const team = new TeamIndexes(secrets, s.status, s.log, () => vscode.workspace.isTrusted && s.consent.has());
  s.engines.team = team;
  const settings = [...TEAM_SETTINGS, `${SECTION}.teamIndex.remoteSearch`];
  const follow = async (): Promise<void> => {
    await movePasswordOutOfSettings(secrets, s.log).catch((e) => s.log.channel.warn(`team index password not moved: ${String(e)}`));
    reopen();
  };
  // Off the startup path: a password left in the setting (an older version, a paste) moves out.
  setTimeout(() => void movePasswordOutOfSettings(secrets, s.log).then((moved) => moved && reopen(), () => undefined), 0);
  return vscode.Disposable.from(
    team,
    secrets.onDidChange(reopen),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settings.some((k) => e.affectsConfiguration(k))) void follow();
    }),
  );
}
