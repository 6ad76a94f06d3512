/**
 * THE DOOR: the one place that decides whether this workspace's text, or the API key, may be used
 * to reach a remote endpoint — and whether there is an index to answer from.
 *
 * Every path that can send text or a key asks here first: indexing and live updates, the palette
 * search, the sidebar search, Classify Selection, Related and the analysis commands, the test
 * API, and the agent tools (LM tools, MCP). Call
 *
 *     const verdict = await ensureRemoteAllowed(door, { purpose: 'agent', interactive: false, needsIndex: true });
 *     if (!verdict.ok) return verdict.message;   // a sentence for the user or the agent
 *
 * What it decides, in this order:
 *   1. workspace trust: an untrusted workspace runs the offline provider whatever the settings
 *      say (Engines.effectiveProvider), so nothing can leave; the verdict says `downgraded`;
 *   2. consent: a cloud provider needs this workspace's consent for the exact endpoint the
 *      requests go to (Consent; the dialog shows the endpoint from the same resolver as the
 *      request, settings.ts `resolveEndpoint`). `interactive` callers may show the dialog;
 *      others get `{ ok: false, reason: 'noConsent' }` and never any UI;
 *   3. the index (only with `needsIndex`): a plain search (`remoteAnswers`) with remote search on (a team index, its
 *      setting, consent for its host, a trusted workspace) needs no local index — it answers from
 *      PostgreSQL (`remoteOnly`), as the CLI's `search --remote` does; otherwise `interactive`
 *      callers with `offerIndex` may offer to build it, and others get `{ ok: false, reason: 'noIndex' }`.
 * Purposes that only read stored vectors (`sendsText: false`, e.g. Related, topics) skip step 2.
 */
import * as vscode from 'vscode';
import type { ProviderId } from '../core/types';
import type { Consent } from './consent';
import type { Engines } from './engines';

export type DoorPurpose = 'index' | 'live-update' | 'search' | 'sidebar-search' | 'classify' | 'related' | 'analysis' | 'api' | 'agent';

export interface DoorRequest {
  readonly purpose: DoorPurpose;
  /** May show the consent dialog / the "Index now?" prompt (a user gesture started this). */
  readonly interactive: boolean;
  /** The caller answers from the index: a missing index is a refusal (or, with offerIndex, a prompt). */
  readonly needsIndex?: boolean;
  /** Interactive only: offer to index when there is no index yet. */
  readonly offerIndex?: boolean;
  /** A plain search: with remote search on, the team index answers it without a local index. */
  readonly remoteAnswers?: boolean;
  /** False for work that reads stored vectors only (no consent needed); default true. */
  readonly sendsText?: boolean;
}

export type DoorVerdict =
  | { readonly ok: true; readonly provider: ProviderId; readonly remote: boolean; readonly downgraded?: 'untrusted' | 'noKey'; readonly remoteOnly?: true }
  | { readonly ok: false; readonly reason: 'noConsent' | 'noIndex'; readonly message: string; readonly building?: true };

export class Door {
  /** Runs a full index (set by activate once the Indexer exists; the Indexer itself asks the door). */
  indexAll: (() => Promise<unknown>) | undefined;
  /** True while an index run is under way (set by activate): "no index yet" then says it is coming. */
  indexing: (() => boolean) | undefined;

  constructor(
    private readonly engines: Engines,
    private readonly consent: Consent,
  ) {}

  async check(request: DoorRequest): Promise<DoorVerdict> {
    const { provider, downgraded } = await this.engines.effectiveProvider();
    const remote = provider !== 'offline';
    if (remote && request.sendsText !== false && !this.consent.has()) {
      const agreed = request.interactive && (await this.consent.ensure());
      if (!agreed) {
        return { ok: false, reason: 'noConsent', message: vscode.l10n.t('Run "Index Workspace" first to agree to uploads for this workspace.') };
      }
    }
    if (request.needsIndex && !(await this.hasIndex())) {
      // Engines are open now (hasIndex opened them): the team index knows whether it can answer.
      if (request.remoteAnswers && this.engines.team?.remoteSearchReady()) {
        return { ok: true, provider, remote, remoteOnly: true, ...(downgraded ? { downgraded } : {}) };
      }
      if (request.interactive && request.offerIndex && this.indexAll && (await offerToIndex())) {
        await this.indexAll();
        if (await this.hasIndex()) return { ok: true, provider, remote, ...(downgraded ? { downgraded } : {}) };
      }
      if (this.indexing?.()) {
        return { ok: false, reason: 'noIndex', building: true, message: vscode.l10n.t('The first index of this workspace is being built; search works once it is complete.') };
      }
      return { ok: false, reason: 'noIndex', message: vscode.l10n.t('This workspace has no semantic index yet. Run "Index Workspace".') };
    }
    return { ok: true, provider, remote, ...(downgraded ? { downgraded } : {}) };
  }

  /** True when at least one folder has an index (from disk only: never contacts an endpoint). */
  async hasIndex(): Promise<boolean> {
    for (const { engine } of await this.engines.all()) if ((await engine.status()).exists) return true;
    return false;
  }
}

/** The door's check, as a function for callers that hold only the door (agent tools). */
export function ensureRemoteAllowed(door: Door, request: DoorRequest): Promise<DoorVerdict> {
  return door.check(request);
}

async function offerToIndex(): Promise<boolean> {
  const index = vscode.l10n.t('Index Now');
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('This workspace has no semantic index yet. Index it now?'), index);
  return choice === index;
}
