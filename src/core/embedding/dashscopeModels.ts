/**
 * What we know about each DashScope embedding model (contract §6): items per request, the
 * accepted dimensions and the default. Unknown future models get a cautious generic profile.
 */
export interface ModelProfile {
  readonly model: string;
  /** Texts per request. v3/v4 reject the 11th with HTTP 400. */
  readonly maxBatch: number;
  readonly defaultDimensions: number;
  /** Accepted `dimension` values; empty = not validated (unknown model). */
  readonly dimensions: readonly number[];
  /** Values some docs list and the server may or may not accept (v3 on the intl site). */
  readonly uncertainDimensions: readonly number[];
  /** `instruct` is honoured (v4 only per the docs). */
  readonly supportsInstruct: boolean;
  readonly known: boolean;
}

const PROFILES: Readonly<Record<string, ModelProfile>> = {
  'text-embedding-v4': {
    model: 'text-embedding-v4',
    maxBatch: 10,
    defaultDimensions: 1024,
    dimensions: [2048, 1536, 1024, 768, 512, 256, 128, 64],
    uncertainDimensions: [],
    supportsInstruct: true,
    known: true,
  },
  'text-embedding-v3': {
    model: 'text-embedding-v3',
    maxBatch: 10,
    defaultDimensions: 1024,
    // The China site also lists 256/128/64 for v3; the intl docs do not. Accepted, with a warning.
    dimensions: [1024, 768, 512, 256, 128, 64],
    uncertainDimensions: [256, 128, 64],
    supportsInstruct: false,
    known: true,
  },
};

export const DEFAULT_DASHSCOPE_MODEL = 'text-embedding-v4';

export function dashScopeModelProfile(model: string): ModelProfile {
  return (
    PROFILES[model] ?? {
      model,
      maxBatch: 10,
      defaultDimensions: 1024,
      dimensions: [],
      uncertainDimensions: [],
      supportsInstruct: true,
      known: false,
    }
  );
}

/** Returns an error message when `dimensions` is not valid for the profile, else undefined. */
export function checkDimensions(profile: ModelProfile, dimensions: number): string | undefined {
  if (!Number.isInteger(dimensions) || dimensions <= 0) return `dimensions must be a positive integer, got ${dimensions}.`;
  if (profile.dimensions.length && !profile.dimensions.includes(dimensions)) {
    return `${profile.model} does not support ${dimensions} dimensions; choose one of ${profile.dimensions.join(', ')}.`;
  }
  return undefined;
}
