/**
 * Where DashScope lives. The base-URL rule (contract §1): native = `{origin}/api/v1`, OpenAI-compatible
 * = `{origin}/compatible-mode/v1`; a custom URL may be given in either form (or as a bare origin, or
 * as a full embeddings endpoint) and the other form is derived from it.
 */
import type { DashScopeRegion } from '../engineTypes';

export const DASHSCOPE_REGION_ORIGINS: Readonly<Record<DashScopeRegion, string>> = {
  singapore: 'https://dashscope-intl.aliyuncs.com',
  beijing: 'https://dashscope.aliyuncs.com',
  us: 'https://dashscope-us.aliyuncs.com',
  hongkong: 'https://cn-hongkong.dashscope.aliyuncs.com',
};

export const DASHSCOPE_REGION_LABELS: Readonly<Record<DashScopeRegion, string>> = {
  singapore: 'Singapore',
  beijing: 'Beijing',
  us: 'US (Virginia)',
  hongkong: 'Hong Kong',
};

export const NATIVE_EMBEDDING_PATH = '/services/embeddings/text-embedding/text-embedding';

export interface DashScopeEndpoints {
  /** Scheme + host (+ any gateway path prefix), no trailing slash. */
  readonly origin: string;
  /** `{origin}/api/v1` */
  readonly nativeBase: string;
  /** Full native embeddings URL. */
  readonly nativeUrl: string;
  /** `{origin}/compatible-mode/v1`: the `baseURL` handed to the `openai` client. */
  readonly compatibleBase: string;
  /** Full compat embeddings URL (`{compatibleBase}/embeddings`). */
  readonly compatibleUrl: string;
  /** The region, when known (a custom URL on a known host counts). */
  readonly region?: DashScopeRegion;
  /** `Singapore`, `Beijing`, … or the custom host. */
  readonly label: string;
}

// Suffixes a custom URL may carry, longest first so `/compatible-mode/v1/embeddings` wins over `/v1`.
const KNOWN_SUFFIXES = [
  '/compatible-mode/v1/embeddings',
  `/api/v1${NATIVE_EMBEDDING_PATH}`,
  '/compatible-mode/v1',
  '/compatible-mode',
  '/api/v1',
];

/**
 * Pure: the native and compatible endpoints for a region or a custom base URL (which wins).
 * Throws a plain Error with a readable message on a malformed URL.
 */
export function resolveDashScopeEndpoints(settings: { readonly region?: DashScopeRegion; readonly baseUrl?: string }): DashScopeEndpoints {
  const region = settings.region ?? 'singapore';
  if (!settings.baseUrl?.trim()) return fromOrigin(DASHSCOPE_REGION_ORIGINS[region], region, DASHSCOPE_REGION_LABELS[region]);

  let url: URL;
  try {
    url = new URL(settings.baseUrl.trim());
  } catch {
    throw new Error(`DashScope base URL "${settings.baseUrl}" is not a valid URL (expected e.g. https://dashscope-intl.aliyuncs.com/api/v1).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`DashScope base URL must be http(s), got "${url.protocol}".`);
  }
  let path = url.pathname.replace(/\/+$/, '');
  for (const suffix of KNOWN_SUFFIXES) {
    if (path.endsWith(suffix)) {
      path = path.slice(0, -suffix.length);
      break;
    }
  }
  const origin = `${url.protocol}//${url.host}${path}`;
  const known = (Object.keys(DASHSCOPE_REGION_ORIGINS) as DashScopeRegion[]).find((r) => DASHSCOPE_REGION_ORIGINS[r] === origin);
  return fromOrigin(origin, known, known ? DASHSCOPE_REGION_LABELS[known] : url.host);
}

function fromOrigin(origin: string, region: DashScopeRegion | undefined, label: string): DashScopeEndpoints {
  const nativeBase = `${origin}/api/v1`;
  const compatibleBase = `${origin}/compatible-mode/v1`;
  return {
    origin,
    nativeBase,
    nativeUrl: `${nativeBase}${NATIVE_EMBEDDING_PATH}`,
    compatibleBase,
    compatibleUrl: `${compatibleBase}/embeddings`,
    region,
    label,
  };
}
