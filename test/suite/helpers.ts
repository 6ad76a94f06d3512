/**
 * Shared helpers of the extension-host suite. Everything the harness passes in arrives through
 * `extensionEnvironment` (code-server) or `extensionTestsEnv` (test-electron):
 *   SW_E2E_MODE          'main' (default) or 'restricted' (run in an untrusted window)
 *   SW_E2E_REQUEST_LOG   JSONL written by test/fake-dashscope/main.ts --log: every request the fake
 *                        DashScope server received ({path, auth: sha256 prefix, body})
 *   SW_E2E_USER_DATA     the profile's user-data-dir (settings.json, logs) to scan for leaked keys
 *   SW_E2E_UI_HELPER     '1' when the runner performs `E2E-UI` gestures (code-server only)
 *   DASHSCOPE_API_KEY    the key the extension falls back to when SecretStorage holds none
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SemanticWorkspaceApi } from '../../src/extension/api';

export const EXT_ID = 'semantic-workspace.semantic-workspace';
export const SECTION = 'semanticWorkspace';

export const mode = (): string => process.env.SW_E2E_MODE || 'main';
export const uiHelper = (): boolean => process.env.SW_E2E_UI_HELPER === '1';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(150);
  }
}

/** Rejects when `p` has not settled after `ms` (commands waiting on UI would hang the suite). */
export function within<T>(p: Thenable<T>, ms: number, what: string): Promise<T> {
  return Promise.race([Promise.resolve(p), sleep(ms).then(() => { throw new Error(`${what} did not finish within ${ms} ms`); })]);
}

export function extension(): vscode.Extension<SemanticWorkspaceApi> {
  const ext = vscode.extensions.getExtension<SemanticWorkspaceApi>(EXT_ID);
  assert.ok(ext, `extension ${EXT_ID} is not installed in this extension host`);
  return ext;
}

/** Activates the extension and returns its test API. */
export async function api(): Promise<SemanticWorkspaceApi> {
  const ext = extension();
  const exports = ext.isActive ? ext.exports : await ext.activate();
  assert.ok(exports && typeof exports.search === 'function', 'activate() did not return the test API (src/extension/api.ts)');
  return exports;
}

export function folder(): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'no workspace folder is open (the harness opens a copy of test/fixtures/workspace)');
  return f;
}

export const wsPath = (...rel: string[]): string => path.join(folder().uri.fsPath, ...rel);

/** Sets a `semanticWorkspace.*` setting in the workspace (the fixture copy's .vscode/settings.json). */
export async function setSetting(key: string, value: unknown, target = vscode.ConfigurationTarget.Workspace): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update(key, value, target);
}

// ---- the fake DashScope server's request log -----------------------------------------------

export interface RecordedRequest {
  readonly t: number;
  readonly method: string;
  readonly path: string;
  readonly auth: string | null;
  readonly body: unknown;
}

export function requests(): RecordedRequest[] {
  const file = process.env.SW_E2E_REQUEST_LOG;
  if (!file || !fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RecordedRequest);
}

export function requireFakeServer(): void {
  assert.ok(process.env.SW_E2E_REQUEST_LOG, 'SW_E2E_REQUEST_LOG is not set: the harness did not start the fake DashScope server');
  assert.ok(process.env.SEMANTIC_WORKSPACE_DASHSCOPE_BASE_URL, 'the fake DashScope URL is not in the extension environment');
}

/** Texts and text_type of one embedding request, native (`input.texts`) or compatible (`input`). */
export function embedPayload(r: RecordedRequest): { texts: string[]; textType?: string } | undefined {
  // The two wire shapes (contract §2 native, §3 compatible), read as optional fields.
  const b = r.body as { input?: string | string[] | { texts?: string[] }; parameters?: { text_type?: string }; text_type?: string } | undefined;
  if (!b || typeof b !== 'object' || !/embedding/.test(r.path)) return undefined;
  const input = b.input;
  const texts = Array.isArray(input) ? input : typeof input === 'string' ? [input] : Array.isArray(input?.texts) ? input.texts : [];
  return { texts, textType: b.parameters?.text_type ?? b.text_type };
}

/** What the fake server's request log holds for an `Authorization: Bearer <key>` header. */
export const authHash = (key: string): string => `sha256:${crypto.createHash('sha256').update(`Bearer ${key}`).digest('hex').slice(0, 12)}`;

// ---- UI gestures performed by scripts/e2e/ext-host.mjs --------------------------------------

// Modal dialogs are not among them: VS Code refuses to show any in a window that runs
// extensionTestsPath ("DialogService: refused to show dialog in tests"), so modal flows (consent,
// Clear Index) are covered by the UI suite (test/ui).
export type UiAction =
  | { do: 'input'; text: string }
  | { do: 'forge'; messages: unknown[] }
  | { do: 'screenshot'; file: string };

export function ui(action: UiAction): void {
  console.log(`E2E-UI ${JSON.stringify(action)}`);
}

// ---- files ----------------------------------------------------------------------------------

export function walk(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Every file under the user-data-dir that could leak a key: settings and logs. */
export function profileTextFiles(): string[] {
  const ud = process.env.SW_E2E_USER_DATA;
  if (!ud) return [];
  return walk(ud).filter((f) => /settings\.json$|\.log$/.test(f) && !f.includes(`${path.sep}CachedData${path.sep}`));
}
