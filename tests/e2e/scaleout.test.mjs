// Scale-out: three replicas of the generated petstore server in stateless mode behind nginx
// (Debian's package) on loopback, with OAuth on against a real OpenID provider. One SDK client,
// one token: its calls spread over every replica and all succeed.
//
//   MCPWRIGHT_SERVER=<petstore server binary> MCPWRIGHT_NGINX=<nginx binary> node --test scaleout.test.mjs

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort, spawnServer, startNginx, startUpstream } from './harness.mjs';
import { accessTokenClaims, mintToken, startIdp } from './idp.mjs';

const bin = process.env.MCPWRIGHT_SERVER;
const nginxBin = process.env.MCPWRIGHT_NGINX;
if (!bin || !nginxBin) throw new Error('set MCPWRIGHT_SERVER and MCPWRIGHT_NGINX');

const REPLICAS = 3;
let upstream;
let idp;
let balancer;
const replicas = [];

before(async () => {
  upstream = await startUpstream(({ url, headers }) => {
    const id = url.match(/^\/v1\/pets\/(\d+)$/)?.[1];
    if (!id) return undefined;
    return { json: { id: Number(id), name: `pet ${id}` }, headers: { 'x-seen-by': headers['user-agent'] ?? '' } };
  });
  // nginx's port must be known first: it is the resource URL every replica announces, and the
  // audience of the tokens.
  const ports = await Promise.all(Array.from({ length: REPLICAS }, () => freePort()));
  const servers = ports.map((port) => `server 127.0.0.1:${port};`).join(' ');
  balancer = await startNginx(
    nginxBin,
    `upstream mcp { ${servers} keepalive 32; }
  server {
    listen 127.0.0.1:{port};
    location / {
      proxy_pass http://mcp;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;
    }
  }`,
  );
  const resource = `${balancer.url}/mcp`;
  idp = await startIdp({ resource, scopes: ['pets:read', 'pets:write', 'pets:admin'] });
  for (const port of ports) {
    replicas.push(
      await spawnServer(
        bin,
        ['serve', '--transport', 'http', '--stateless', '--bind', `127.0.0.1:${port}`, '--issuer', idp.issuer, '--resource-url', resource],
        { MCP_UPSTREAM_URL: `${upstream.url}/v1`, PETSTORE_AUTH_BEARER_TOKEN: 'upstream-token', MCP_LOG_LEVEL: 'info' },
      ),
    );
  }
});

after(async () => {
  for (const replica of replicas) await replica.stop();
  await balancer?.stop();
  await idp?.close();
  await upstream?.close();
});

test('one client, one token: calls spread over three stateless replicas and all succeed', async () => {
  const token = await mintToken(idp.keys, accessTokenClaims(idp, { scope: 'pets:read' }));
  const client = new Client({ name: 'scaleout-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${balancer.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  assert.equal(transport.sessionId, undefined, 'stateless: no session to pin the client to a replica');
  const { tools } = await client.listTools();
  assert.ok(tools.some((t) => t.name === 'getPet'));
  const CALLS = 30;
  for (let i = 1; i <= CALLS; i++) {
    const result = await client.callTool({ name: 'getPet', arguments: { petId: i } });
    assert.equal(result.isError, false, JSON.stringify(result));
    assert.equal(result.structuredContent.id, i, 'each answer is its own');
  }
  await client.close();
  // Every replica logged some of the calls.
  const served = replicas.map((r) => (r.logs.join('').match(/tool call tool="getPet"/g) ?? []).length);
  assert.equal(served.reduce((a, b) => a + b, 0), CALLS, `calls per replica: ${served}`);
  for (const [i, count] of served.entries()) assert.ok(count > 0, `replica ${i} served no call: ${served}`);
  // The upstream only ever saw the servers' own credential.
  assert.ok(upstream.requests.every((r) => r.headers.authorization === 'Bearer upstream-token'));
});

test('the token is checked by every replica: without it, 401 through the balancer', async () => {
  const response = await fetch(`${balancer.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  assert.equal(response.status, 401);
  assert.match(response.headers.get('www-authenticate') ?? '', new RegExp(`resource_metadata="${balancer.url}/`));
});
