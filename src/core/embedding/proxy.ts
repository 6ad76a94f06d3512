/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY support without extra packages. Node 20's fetch ignores
 * these variables, so remote embedders talk through `http`/`https` and, behind a proxy, open a
 * CONNECT tunnel and run TLS over it (the target's certificate is still verified end to end;
 * NODE_EXTRA_CA_CERTS is honoured by Node's TLS natively). Plain-http targets use the
 * absolute-form request through the proxy.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

function envVar(env: ProxyEnv, name: string): string | undefined {
  return env[name] ?? env[name.toLowerCase()] ?? env[name.toUpperCase()];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The proxy to use for `target`, or undefined for a direct connection. */
export function proxyFor(target: URL, env: ProxyEnv = process.env): URL | undefined {
  const host = target.hostname.toLowerCase();
  // A proxy cannot reach this machine's loopback anyway; local servers (Ollama, the fake) stay direct.
  if (LOOPBACK.has(host) || host.startsWith('127.')) return undefined;
  const raw = target.protocol === 'https:' ? envVar(env, 'HTTPS_PROXY') ?? envVar(env, 'ALL_PROXY') : envVar(env, 'HTTP_PROXY') ?? envVar(env, 'ALL_PROXY');
  if (!raw) return undefined;
  if (bypassedByNoProxy(target, envVar(env, 'NO_PROXY') ?? '')) return undefined;
  try {
    return new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    return undefined; // an unparsable proxy variable is ignored rather than breaking every request
  }
}

/** NO_PROXY: comma/space separated `*`, `host`, `.domain`, `domain` (suffix), `host:port`. */
export function bypassedByNoProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const entry of noProxy.split(/[\s,]+/).filter(Boolean)) {
    if (entry === '*') return true;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.toLowerCase().replace(/^\[|\]$/g, ''))!;
    const name = m[1].replace(/^\*?\./, '.');
    if (m[2] && m[2] !== port) continue;
    if (host === name.replace(/^\./, '') || host.endsWith(name.startsWith('.') ? name : `.${name}`)) return true;
  }
  return false;
}

/** Opens a CONNECT tunnel through `proxy` to host:port; resolves with the raw socket. */
export function openTunnel(proxy: URL, host: string, port: number, signal?: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `${host}:${port}` };
    if (proxy.username) {
      const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
      headers['proxy-authorization'] = `Basic ${Buffer.from(cred).toString('base64')}`;
    }
    const mod = proxy.protocol === 'https:' ? https : http;
    const req = mod.request({
      host: proxy.hostname,
      port: Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: `${host}:${port}`,
      headers,
      signal,
      agent: false,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        // Only the proxy's host is named: its URL may carry credentials.
        reject(Object.assign(new Error(`proxy ${proxy.host} refused the tunnel (HTTP ${res.statusCode})`), { code: 'EPROXY' }));
      }
    });
    req.once('error', reject);
    req.end();
  });
}
