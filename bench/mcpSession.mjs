// A raw MCP session over stdio (issue #15): prints every JSON-RPC message both ways and times
// tools/call search — first call and warm. Not part of `npm test` or `npm run bench`.
//   node bench/mcpSession.mjs dist/cli.js <dir> [mcp flags…]   env: QUERIES="a|b", WARM=20, NOLIST=1, FULL=1
import { spawn } from 'node:child_process';
const [cli, dir, ...extra] = process.argv.slice(2);
const child = spawn(process.execPath, [cli, 'mcp', dir, ...extra], { stdio: ['pipe', 'pipe', 'pipe'], env: process.env });
let buf = '';
const waiting = new Map();
child.stderr.on('data', (d) => process.stderr.write(`  [stderr] ${d}`));
child.stdout.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    const msg = JSON.parse(line);
    const shown = JSON.stringify(msg);
    console.log(`← ${shown.length > (process.env.FULL ? 1e9 : 1500) ? shown.slice(0, 1500) + ' …(' + shown.length + ' chars)' : shown}`);
    if (msg.id !== undefined && waiting.has(msg.id)) { waiting.get(msg.id)(msg); waiting.delete(msg.id); }
  }
});
let id = 0;
const send = (method, params, notify = false) => {
  const msg = notify ? { jsonrpc: '2.0', method, params } : { jsonrpc: '2.0', id: ++id, method, params };
  console.log(`→ ${JSON.stringify(msg)}`);
  child.stdin.write(JSON.stringify(msg) + '\n');
  return notify ? Promise.resolve() : new Promise((r) => waiting.set(msg.id, r));
};
const t0 = Date.now();
await send('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'transcript', version: '1.0.0' } });
console.log(`# initialize answered in ${Date.now() - t0} ms`);
await send('notifications/initialized', undefined, true);
if (!process.env.NOLIST) await send('tools/list', {});
const queries = (process.env.QUERIES || 'where do we retry failed embedding requests|列出目录内容的命令|hybrid fusion of keyword and vector ranks').split('|');
const times = [];
for (const [n, q] of queries.entries()) {
  const t = Date.now();
  await send('tools/call', { name: 'search', arguments: { query: q, topK: Number(process.env.TOPK || 3) }, _meta: { progressToken: `p${n}` } });
  times.push(Date.now() - t);
  console.log(`# search ${JSON.stringify(q)}: ${times.at(-1)} ms`);
}
const warm = [];
for (let k = 0; k < Number(process.env.WARM || 0); k++) {
  const t = Date.now();
  await send('tools/call', { name: 'search', arguments: { query: queries[k % queries.length] + ' ' + k, topK: 10 } });
  warm.push(Date.now() - t);
}
if (warm.length) { warm.sort((a, b) => a - b); console.log(`# warm searches: n=${warm.length} median ${warm[warm.length >> 1]} ms, min ${warm[0]} max ${warm.at(-1)}`); }
child.stdin.end();
