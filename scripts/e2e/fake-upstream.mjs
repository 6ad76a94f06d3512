// Starts the project's fake DashScope server (test/fake-dashscope/main.ts, port 0) behind a small
// recording proxy, so the suites can assert exactly what the extension uploaded (request count,
// `text_type`, texts per request) without depending on the fake server's own inspection API.
//
// Usage: node scripts/e2e/fake-upstream.mjs --log <requests.jsonl> --ready <ready.json>
// Writes <ready.json> = {"url": proxy URL, "upstream": fake server URL, "log": jsonl} once both
// listen, prints one line `fake-dashscope (recorded) listening on <url>`, and runs until killed.
// Every request is appended to the log as one JSON line {t, method, path, auth, body}; `auth` is a
// short sha256 of the Authorization header (the suite compares it with the hash of the key it
// expects, proving which stored key was used) — the key itself is never written.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const logFile = path.resolve(arg('--log', 'requests.jsonl'));
const readyFile = arg('--ready');
fs.writeFileSync(logFile, '');

const main = path.join(repo, 'test/fake-dashscope/main.ts');
if (!fs.existsSync(main)) { console.error(`fake-upstream: ${main} does not exist yet`); process.exit(2); }
const tsx = path.join(repo, 'node_modules/.bin/tsx');
const child = spawn(tsx, [main, '--port', '0'], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
const stop = () => { try { child.kill('SIGTERM'); } catch { /* already gone */ } process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', (code) => { console.error(`fake-upstream: fake server exited (${code})`); process.exit(1); });

const upstream = await new Promise((resolve, reject) => {
  let buf = '';
  const timer = setTimeout(() => reject(new Error('fake server did not print its URL within 30 s')), 30000);
  child.stdout.on('data', (d) => {
    buf += d;
    process.stdout.write(d);
    const m = /listening on (http:\/\/[^\s]+)/.exec(buf);
    if (m) { clearTimeout(timer); resolve(m[1].replace(/\/$/, '')); }
  });
});
const up = new URL(upstream);

/** 'sha256:<12 hex>' of the header value, or null when absent. */
const authHash = (h) => (h ? `sha256:${crypto.createHash('sha256').update(String(h)).digest('hex').slice(0, 12)}` : null);

// Failure modes the UI suite switches at run time (POST /__e2e/mode {kind, after, delayMs}):
//   ok            forward everything (after an optional delay per request, to make a run last)
//   down          after `after` more embedding requests, destroy every connection (DashScope unreachable)
//   unauthorized  after `after` more embedding requests, answer 401 InvalidApiKey (a revoked key)
//   throttle      after `after` more embedding requests, answer `count` of them 429 Throttling.RateQuota, then forward again
// `route: 'rerank'` applies the mode to rerank requests instead of embedding ones.
let mode = { kind: 'ok', after: 0, delayMs: 0 };
let sinceMode = 0;
const INVALID_KEY = JSON.stringify({ code: 'InvalidApiKey', message: 'Invalid API-key provided.', request_id: 'e2e-revoked' });
const THROTTLED = JSON.stringify({ code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded, please try again later.', request_id: 'e2e-throttled' });

const proxy = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    if (req.url === '/__e2e/mode') {
      mode = { kind: 'ok', after: 0, delayMs: 0, ...JSON.parse(raw.toString('utf8') || '{}') };
      sinceMode = 0;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(mode));
      return;
    }
    const routed = mode.route === 'rerank' ? /rerank/ : /embedding/;
    if (routed.test(req.url ?? '') && mode.kind !== 'ok' && ++sinceMode > mode.after) {
      if (mode.kind === 'down') { req.socket.destroy(); return; }
      if (mode.kind === 'throttle') {
        if (sinceMode > mode.after + (mode.count ?? 1)) { forward(req, res, raw); return; }
        res.writeHead(429, { 'content-type': 'application/json' });
        res.end(THROTTLED);
        return;
      }
      fs.appendFileSync(logFile, JSON.stringify({ t: Date.now(), method: req.method, path: req.url, auth: authHash(req.headers.authorization), status: 401, body: safeJson(raw) }) + '\n');
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(INVALID_KEY);
      return;
    }
    if (mode.delayMs > 0) { setTimeout(() => forward(req, res, raw), mode.delayMs); return; }
    forward(req, res, raw);
  });
});

function safeJson(raw) {
  try { return JSON.parse(raw.toString('utf8')); } catch { return raw.length ? `<${raw.length} bytes>` : undefined; }
}

function forward(req, res, raw) {
  fs.appendFileSync(logFile, JSON.stringify({ t: Date.now(), method: req.method, path: req.url, auth: authHash(req.headers.authorization), body: safeJson(raw) }) + '\n');
  const headers = { ...req.headers, host: up.host };
  const fwd = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  fwd.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
  fwd.end(raw);
}
proxy.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${proxy.address().port}`;
  if (readyFile) fs.writeFileSync(readyFile, JSON.stringify({ url, upstream, log: logFile }));
  console.log(`fake-dashscope (recorded) listening on ${url} (upstream ${upstream})`);
});
