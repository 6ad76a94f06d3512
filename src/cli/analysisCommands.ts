import type { CliContext } from './main';
import { ExitError } from './main';

export async function runAnalysisCommand(ctx: CliContext): Promise<number> {
  throw new ExitError(1, `${ctx.args.command}: not wired yet`);
}
