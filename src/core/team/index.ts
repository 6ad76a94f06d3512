export { TeamIndex, type TeamIndexOptions } from './teamIndex';
export { TeamIndexError, redactUrl, hostOf, type TeamErrorKind } from './errors';
export { TeamStore, spaceFacts } from './store';
export { repoIdentity, normalizeRemoteUrl, type RepoIdentity } from './identity';
export { teamStatus, pruneTeam, findSnapshot, type TeamStatus, type PruneReport } from './snapshots';
export { SCHEMA_VERSION } from './schema';
