/** Index runs in a worker process for long-lived hosts (the extension host): `openHostEngine`. */
export { openHostEngine, type HostEngine, type HostEngineOptions, type HostEngineStats } from './hostEngine';
export { locateIndexWorker, type IndexWorkerScript } from './client';
export { fromPlainError, toPlainError, type PlainError } from './protocol';
