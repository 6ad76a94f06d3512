/**
 * Dry-run cost estimates for DashScope (contract §6, intl price list, per 1M input tokens).
 * Prices do not depend on `dimensions`; the Batch API (half price) is not used by this product.
 */
import type { DashScopeRegion } from '../engineTypes';
import { estimateTotalTokens } from './tokens';

const USD_PER_MILLION: Readonly<Record<DashScopeRegion, number>> = {
  singapore: 0.07,
  hongkong: 0.07,
  us: 0.07,
  beijing: 0.072,
};

/**
 * Estimated USD for `tokens` input tokens of `model` in `region` (default Singapore, also used for
 * custom base URLs whose region is unknown). v3 and v4 cost the same; unknown models are priced as v4.
 */
export function estimateCostUSD(tokens: number, region: DashScopeRegion = 'singapore', model = 'text-embedding-v4'): number {
  void model; // one price for v3/v4 today; kept in the signature so a future model can differ
  const perMillion = USD_PER_MILLION[region] ?? USD_PER_MILLION.singapore;
  return (Math.max(0, tokens) / 1_000_000) * perMillion;
}

/** Token estimate + cost of embedding `texts` (what `index --dry-run` prints). */
export function estimateEmbeddingRun(
  texts: Iterable<string>,
  region: DashScopeRegion = 'singapore',
  model = 'text-embedding-v4',
): { tokens: number; costUSD: number } {
  const tokens = estimateTotalTokens(texts);
  return { tokens, costUSD: estimateCostUSD(tokens, region, model) };
}

/** `$0.0012` style, enough digits to be meaningful for small runs. */
export function formatUSD(amount: number): string {
  if (amount === 0) return '$0';
  if (amount < 0.01) return `$${amount.toPrecision(2)}`;
  return `$${amount.toFixed(2)}`;
}
