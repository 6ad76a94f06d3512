/**
 * The optional rerank stage of the extension's searches (`semanticWorkspace.search.rerank`). It
 * runs only where text may already leave the machine: a trusted workspace whose running provider is
 * a cloud one, with the key present and this endpoint consented to — never for offline. A rerank
 * never makes a search hang (the core's 4 s budget) and a failure keeps the first-stage order with
 * a note. Every reranked token counts against `semanticWorkspace.tokenBudget` for the session.
 */
import * as vscode from 'vscode';
import {
  RERANK_CANDIDATES, RerankMeter, RerankSetupError, estimateRerankPerSearch, rerankItems, resolveRerankConfig, type RerankConfig,
} from '../core/embedding';
import type { ResultItem } from '../protocol/messages';
import type { Door } from './door';
import type { Log } from './log';
import type { KeyStore } from './secrets';
import { envBaseUrl, type Settings } from './settings';

export interface RerankOutcome {
  readonly items: ResultItem[];
  readonly applied: boolean;
  /** Shown next to the results when the first-stage order was kept. */
  readonly note?: string;
  readonly model: string;
  readonly tokens?: number;
}

/** A rerank that may run now: its config, or a note saying why it cannot (settings incomplete). */
export type RerankPlan = { readonly cfg: RerankConfig } | { readonly note: string; readonly model: string };

export class SearchReranker {
  private readonly meter = new RerankMeter();

  constructor(
    private readonly door: Door,
    private readonly keys: KeyStore,
    private readonly log: Log,
  ) {}

  /** How many first-stage results to fetch so the reranker has ~50 candidates. */
  static candidates(topK: number): number {
    return Math.max(RERANK_CANDIDATES, topK);
  }

  /** Reranked tokens this session (what counts against the token budget). */
  get tokensSpent(): number {
    return this.meter.tokens;
  }

  /** Undefined when this search is not reranked (setting off, offline, untrusted, no key, no consent). */
  async plan(settings: Settings): Promise<RerankPlan | undefined> {
    if (!settings.rerank || settings.provider === 'offline') return undefined;
    // The one door: trusted workspace, cloud provider running with its key, consent for this endpoint.
    const verdict = await this.door.check({ purpose: 'search', interactive: false });
    if (!verdict.ok || !verdict.remote || verdict.provider === 'offline') return undefined;
    const provider = verdict.provider;
    const apiKey = await this.keys.get(provider);
    try {
      const cfg = resolveRerankConfig({
        provider,
        region: settings.remote.region,
        baseUrl: provider === 'dashscope' ? envBaseUrl() || settings.remote.baseUrl : settings.remote.baseUrl,
        model: settings.rerankModel,
        apiKey,
        keyHint: vscode.l10n.t('run "Semantic Workspace: Set API Key"'),
        // Paced by the endpoint's limiter, the one the folders' embedders use; these limits only
        // matter for a rerank sent before any embedder.
        requestsPerMinute: settings.remote.requestsPerMinute,
        tokensPerMinute: settings.remote.tokensPerMinute,
      });
      return { cfg };
    } catch (e) {
      // RerankSetupError (a missing base URL or model) or a malformed base URL: say what to set.
      const why = e instanceof RerankSetupError || e instanceof Error ? e.message : String(e);
      return { note: vscode.l10n.t('Rerank not configured, showing first-stage order: {0}', why), model: settings.rerankModel ?? '' };
    }
  }

  /** Re-orders `items` (first stage, best first) to `topK`; `docOf` gives what the reranker reads. */
  async apply(plan: RerankPlan, query: string, items: readonly ResultItem[], docOf: (item: ResultItem) => string, topK: number, budget: number | undefined, signal?: AbortSignal): Promise<RerankOutcome> {
    const firstStage = items.slice(0, topK);
    if (!('cfg' in plan)) return { items: firstStage, applied: false, note: plan.note, model: plan.model };
    const { cfg } = plan;
    const r = await rerankItems(cfg, query, items, async (it) => docOf(it), { topK, signal, meter: this.meter, tokenBudget: budget });
    if (r.skipped === 'budget') {
      return { items: r.hits, applied: false, model: cfg.model, note: vscode.l10n.t('Rerank skipped, showing first-stage order: the token budget ({0}) is reached.', (budget ?? 0).toLocaleString()) };
    }
    if (r.failure) this.log.channel.warn(`rerank (${cfg.model}) failed: ${r.failure}`);
    else if (r.reranked) this.log.channel.info(`rerank (${cfg.model}): ${items.length} candidates, ${r.tokens ?? '?'} tokens, session total ${this.meter.tokens}`);
    return {
      items: r.hits,
      applied: r.reranked,
      model: cfg.model,
      tokens: r.tokens,
      ...(r.failure ? { note: vscode.l10n.t('Rerank failed, showing first-stage order: {0}', r.failure) } : {}),
    };
  }
}

/**
 * The estimate's line for reranking (undefined when searches would not be reranked): tokens and
 * cost per search over the index's mean chunk, from the dry run's whole-index totals.
 */
export function rerankEstimateText(settings: Settings, provider: string, indexTokens: number, indexChunks: number): string | undefined {
  if (!settings.rerank || provider === 'offline') return undefined;
  const e = estimateRerankPerSearch(indexTokens, indexChunks, settings.rerankModel);
  return vscode.l10n.t('Reranking ({0}): about {1} tokens per search, ${2} per 1,000 searches.', e.model, e.tokensPerSearch.toLocaleString(), e.costPer1000SearchesUSD.toFixed(4));
}
