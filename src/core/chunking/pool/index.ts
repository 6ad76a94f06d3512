/** Read + chunk files on worker threads (in-process when threads are off or unavailable). */
export { chunkFilesInOrder, type ChunkRunOptions, type ChunkRunStats } from './ordered';
export { ChunkPool, type ChunkPoolOptions } from './pool';
export { configureChunkPool, chunkPoolSize, defaultPoolSize, locateWorkerScript, tokenizeInWorkers, type ChunkPoolConfig, type WorkerScript } from './config';
export { processFile, textHash, type FileOutcome, type FileTask } from './task';
