/**
 * What reranking costs, for the estimate, and how it counts against the token budget. A rerank
 * bills query tokens × documents + document tokens (contract §10) on every search, so the
 * estimate states it per search and per 1,000 searches; the budget counts every token reranked
 * in a session and stops reranking (first-stage order, with a note) before it would pass.
 */
import { DEFAULT_RERANK_MODEL, RERANK_CANDIDATES, estimateRerankCostUSD, limitsFor } from './rerank';

/** A typical short query (a handful of words). */
const TYPICAL_QUERY_TOKENS = 12;

export interface RerankEstimate {
  readonly model: string;
  readonly candidates: number;
  readonly tokensPerSearch: number;
  readonly costPerSearchUSD: number;
  readonly costPer1000SearchesUSD: number;
}

/** The cost of one rerank over `candidates` chunks of the index's mean size (tokens / chunks). */
export function estimateRerankPerSearch(indexTokens: number, indexChunks: number, model = DEFAULT_RERANK_MODEL, candidates = RERANK_CANDIDATES): RerankEstimate {
  const limits = limitsFor(model);
  const n = Math.max(0, Math.min(candidates, indexChunks, limits.maxDocuments));
  const meanChunk = indexChunks > 0 ? Math.min(limits.maxItemTokens, indexTokens / indexChunks) : 0;
  // A path heading rides along with every document.
  const perDoc = meanChunk > 0 ? meanChunk + 8 : 0;
  const tokensPerSearch = Math.min(limits.maxRequestTokens, Math.round(n * (TYPICAL_QUERY_TOKENS + perDoc)));
  const costPerSearchUSD = estimateRerankCostUSD(tokensPerSearch, model);
  return { model, candidates: n, tokensPerSearch, costPerSearchUSD, costPer1000SearchesUSD: costPerSearchUSD * 1000 };
}

/** Session-wide count of reranked tokens against the token budget (undefined/0: no limit). */
export class RerankMeter {
  private spent = 0;

  get tokens(): number {
    return this.spent;
  }

  /** Why a rerank of about `tokens` may not run now, or undefined when it may. */
  refusal(tokens: number, budget: number | undefined): string | undefined {
    if (!budget || budget <= 0) return undefined;
    if (this.spent + tokens <= budget) return undefined;
    return `rerank skipped, showing first-stage order: the token budget (${budget.toLocaleString('en-US')}) is reached (${this.spent.toLocaleString('en-US')} tokens reranked this session)`;
  }

  add(tokens: number | undefined): void {
    if (tokens && tokens > 0) this.spent += tokens;
  }

  reset(): void {
    this.spent = 0;
  }
}
