/**
 * The embedding layer's public surface for the edges (src/cli, src/extension): errors and their
 * classes, endpoints, models, token estimates and cost. Embedders themselves are built by
 * ../embedderFactory; the transports, scheduler and rate limiter stay internal.
 */
export * from './errors';
export * from './failures';
export * from './dashscopeEndpoints';
export * from './dashscopeModels';
export * from './tokens';
export * from './cost';
export * from './rerank';
export * from './rerankStage';
export * from './rerankBudget';
export * from './rerankConfig';
