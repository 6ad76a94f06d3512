/**
 * What every CLI command receives from main.ts, and the error that ends a command with an exit
 * code. In its own module so that the commands never import main.ts (no import cycle in src/cli).
 */
import type { Engine } from '../core/engineTypes';
import type { CliArgs } from './args';
import type { Messages } from './messages';

/** Ends the command: `message` goes to stderr, `code` is the exit code. */
export class ExitError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface CliContext {
  readonly args: CliArgs;
  readonly m: Messages;
  readonly root: string;
  readonly signal: AbortSignal;
  readonly env: NodeJS.ProcessEnv;
  /** Host:port of the named team index, if any. */
  readonly teamIndex?: string;
  /** Connects to the team index now (index --remote: fail before anything is embedded). */
  teamConnect(): Promise<void>;
  /** Opens the engine for the folder with the provider the user named. */
  open(): Promise<Engine>;
  /** Fails with exit code 2 and a hint when there is no index for this folder and provider. */
  requireIndex(engine: Engine): Promise<void>;
}
