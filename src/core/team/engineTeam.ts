/**
 * The engine's team-index wiring, kept out of engine.ts: an index run that takes the team's
 * vectors first and publishes the complete index after, with publish progress continuing the
 * run's own progress. The engine supplies the local run and the committed index to publish.
 */
import type { IndexProgress, IndexReport, IndexRunOptions, PublishProgress, SearchOptions, TeamIndexPort, TeamIndexReport, TeamPublishSource } from '../engineTypes';
import type { OpenedIndex } from '../index/open';
import type { Embedder, QueryTask, SearchHit } from '../types';

type VectorSource = (hashes: readonly string[]) => Promise<ReadonlyMap<string, Float32Array>>;

/**
 * `run` builds the local index (with `vectorSource` when a team index is configured);
 * `publishSource` reads the committed index once the run is complete.
 */
export async function indexWithTeam<R extends IndexReport>(
  team: TeamIndexPort | undefined,
  embedder: Embedder,
  options: IndexRunOptions,
  run: (options: IndexRunOptions, vectorSource?: VectorSource) => Promise<R>,
  publishSource: () => TeamPublishSource,
): Promise<{ report: R; team?: TeamIndexReport }> {
  const session = team && !options.dryRun ? team.begin(embedder, options.signal) : undefined;
  if (!session) return { report: await run(options) };
  // The last progress of the run: publishing continues it (every count only moves forward).
  let last: IndexProgress | undefined;
  const given = options.onProgress;
  const report = await run(given ? { ...options, onProgress: (p) => given((last = p)) } : options, session.vectorSource);
  const onPublish = given && ((publishing: PublishProgress) => {
    const p = last ?? { filesDone: report.filesIndexed, filesTotal: report.filesIndexed, chunksDone: report.chunks, chunksTotal: report.chunks, tokensDone: 0, tokensTotal: 0 };
    given({ phase: last?.phase ?? 'done', filesDone: p.filesDone, filesTotal: p.filesTotal, chunksDone: p.chunksDone, chunksTotal: p.chunksTotal, tokensDone: p.tokensDone, tokensTotal: p.tokensTotal, publishing });
  });
  // Only a complete run publishes: a half-built index is no snapshot of the repository.
  return { report, team: await session.finish(report.incomplete || report.error ? undefined : publishSource, onPublish) };
}

/** `search --remote`: the team index's snapshot in PostgreSQL, this clone's index (if any) as the overlay. */
export function searchTeam(
  team: TeamIndexPort | undefined,
  embedder: Embedder,
  query: string,
  options: SearchOptions,
  queryVector: (task: QueryTask) => Promise<Float32Array>,
  local: () => OpenedIndex | undefined,
): Promise<SearchHit[]> {
  if (!team) throw new Error('remote search needs a team index (--team-index URL)');
  const defaultTask: QueryTask = options.filter?.kind === 'doc' ? 'doc-search' : 'code-search';
  return team.search(embedder, query, options, (task) => queryVector(options.task ?? task ?? defaultTask), local());
}
