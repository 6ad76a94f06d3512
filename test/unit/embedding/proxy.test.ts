/** HTTP(S)_PROXY support over real sockets: absolute-form for http targets, CONNECT tunnels for https. */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import { httpRequest } from '../../../src/core/embedding/http';
import { openTunnel } from '../../../src/core/embedding/proxy';
import { NATIVE_ROUTE } from '../../fake-dashscope/server';
import { TEST_KEY, withFake } from './helpers';

/** A tiny forward proxy that maps the made-up host `dashscope.test` to the fake. */
async function startProxy(targetPort: number) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const u = new URL(req.url!);
    const up = http.request({ host: '127.0.0.1', port: targetPort, path: u.pathname, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  server.on('connect', (req, client: net.Socket) => {
    seen.push(`CONNECT ${req.url}`);
    const up = net.connect(targetPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.pipe(client);
      client.pipe(up);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, seen, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

test('HTTP_PROXY: requests go through the proxy (absolute form)', () =>
  withFake({}, async (fake) => {
    const proxy = await startProxy(fake.port);
    try {
      const reply = await httpRequest(
        { url: `http://dashscope.test:${fake.port}${NATIVE_ROUTE}`, headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'text-embedding-v4', input: { texts: ['via proxy'] }, parameters: { dimension: 64 } }) },
        { HTTP_PROXY: proxy.url },
      );
      assert.equal(reply.status, 200);
      assert.equal(proxy.seen[0], `POST http://dashscope.test:${fake.port}${NATIVE_ROUTE}`);
    } finally {
      await proxy.close();
    }
  }));

test('CONNECT tunnel (the https path) reaches the target through the proxy', () =>
  withFake({}, async (fake) => {
    const proxy = await startProxy(fake.port);
    try {
      const socket = await openTunnel(new URL(proxy.url), 'dashscope.test', 443);
      const body = JSON.stringify({ model: 'text-embedding-v4', input: { texts: ['tunnel'] }, parameters: { dimension: 64 } });
      socket.write(`POST ${NATIVE_ROUTE} HTTP/1.1\r\nHost: dashscope.test\r\nAuthorization: Bearer ${TEST_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      let raw = '';
      for await (const chunk of socket) raw += chunk.toString();
      assert.match(raw, /^HTTP\/1\.1 200/);
      assert.deepEqual(proxy.seen, ['CONNECT dashscope.test:443']);
    } finally {
      await proxy.close();
    }
  }));
