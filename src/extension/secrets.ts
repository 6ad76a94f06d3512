/**
 * API keys live only in SecretStorage (OS keychain). The environment (`DASHSCOPE_API_KEY`,
 * `OPENAI_API_KEY`) is a fallback for CI and the test harness. Keys are never written to
 * settings, logs or the webview.
 */
import * as vscode from 'vscode';
import type { ProviderId } from '../core/types';

const ENV: Record<Exclude<ProviderId, 'offline'>, string> = { dashscope: 'DASHSCOPE_API_KEY', openai: 'OPENAI_API_KEY' };

export class KeyStore {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly secrets: vscode.SecretStorage) {
    secrets.onDidChange((e) => {
      if (e.key.startsWith('semanticWorkspace.apiKey.')) this.changed.fire();
    });
  }

  private static id(provider: ProviderId): string {
    return `semanticWorkspace.apiKey.${provider}`;
  }

  async get(provider: ProviderId): Promise<string | undefined> {
    if (provider === 'offline') return undefined;
    const stored = await this.secrets.get(KeyStore.id(provider));
    return stored || process.env[ENV[provider]] || undefined;
  }

  async set(provider: ProviderId, key: string): Promise<void> {
    await this.secrets.store(KeyStore.id(provider), key);
  }

  async clear(provider: ProviderId): Promise<void> {
    await this.secrets.delete(KeyStore.id(provider));
  }
}
