/** Registers every command in one place; each command file exports a list of `{id, execute}`. */
import * as vscode from 'vscode';
import type { Command, Services } from '../services';
import { showStatusMenu, STATUS_MENU_COMMAND } from '../statusBar';
import { analysisCommands } from './analysisCommands';
import { indexCommands } from './indexCommands';
import { searchCommands } from './search';
import { setupCommands } from './setupCommands';
import { teamCommands } from '../teamCommands';

export function allCommands(s: Services): Command[] {
  return [
    ...searchCommands(s),
    ...indexCommands(s),
    ...setupCommands(s),
    ...analysisCommands(s),
    ...teamCommands(s),
    { id: STATUS_MENU_COMMAND, execute: showStatusMenu },
  ];
}

export function registerCommands(s: Services): vscode.Disposable {
  return vscode.Disposable.from(...allCommands(s).map((c) => vscode.commands.registerCommand(c.id, (...args: unknown[]) => c.execute(...args))));
}
