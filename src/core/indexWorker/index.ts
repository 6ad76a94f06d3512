/** Index runs on a worker thread for long-lived hosts (the extension host): `openHostEngine`. */
export { openHostEngine, type HostEngine, type HostEngineOptions, type HostEngineStats } from './hostEngine';
export { locateIndexWorker } from './client';
export { fromPlainError, toPlainError, type PlainError } from './protocol';
