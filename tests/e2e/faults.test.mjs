// Faults and limits through the generated petstore server binary, configured the way operators
// configure it (environment variables), with the official SDK client over streamable HTTP:
// an upstream that refuses, stalls, fails, lies about JSON, answers too much or redirects; request
// bodies over the cap; and a concurrency cap that queues calls instead of failing them.
//
//   MCPWRIGHT_SERVER=<path to the petstore server binary> node --test faults.test.mjs

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawnServer, startUpstream, text } from './harness.mjs';

const bin = process.env.MCPWRIGHT_SERVER;
if (!bin) throw new Error('set MCPWRIGHT_SERVER to the generated petstore server binary');

const SECRET = 'upstream-secret-5c1b';
let inFlight = 0;
let maxInFlight = 0;

/** Each pet id picks a fault. */
function faulty({ url }) {
  const id = url.match(/^\/v1\/pets\/(\d+)/)?.[1];
  switch (id) {
    case '500':
      return { status: 503, headers: { 'content-type': 'text/html' }, text: '<h1>Service Unavailable</h1>' };
    case '501':
      return { headers: { 'content-type': 'application/json' }, text: '{"id": 1, "name": ' };
    case '502':
      return { headers: { 'content-type': 'application/json' }, text: JSON.stringify({ id: 502, name: 'x'.repeat(50_000) }) };
    case '503':
      return { status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' }, text: '' };
    case '504':
      return { json: { id: 504, name: 'late' }, delayMs: 3000 };
    default:
      return { json: { id: Number(id), name: `pet ${id}` } };
  }
}

let upstream;

before(async () => {
  upstream = await startUpstream((req) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const answer = faulty(req);
    const done = answer.delayMs ?? 100;
    setTimeout(() => (inFlight -= 1), done);
    return { ...answer, delayMs: done };
  });
});

after(async () => {
  await upstream?.close();
});

/** A petstore server over HTTP with `env`, and a connected SDK client. */
async function serve(env, upstreamUrl = `${upstream.url}/v1`) {
  const server = await spawnServer(
    bin,
    ['serve', '--transport', 'http', '--bind', '127.0.0.1:0', '--allow-unauthenticated'],
    { MCP_UPSTREAM_URL: upstreamUrl, PETSTORE_AUTH_BEARER_TOKEN: SECRET, MCP_LOG_LEVEL: 'debug', ...env },
  );
  const client = new Client({ name: 'faults-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  return {
    server,
    client,
    async stop() {
      await client.close();
      await server.stop();
      // Secrets never reach the logs, even at debug level.
      assert.doesNotMatch(server.logs.join(''), new RegExp(SECRET), 'the upstream credential was logged');
    },
  };
}

const getPet = (client, petId) => client.callTool({ name: 'getPet', arguments: { petId } });

describe('upstream faults are tool errors that say what happened', () => {
  let s;
  before(async () => {
    s = await serve({ MCP_UPSTREAM_TIMEOUT: '1', MCP_MAX_RESPONSE_BYTES: '1000' });
  });
  after(async () => s.stop());

  test('5xx: the status and the start of the body', async () => {
    const result = await getPet(s.client, 500);
    assert.equal(result.isError, true);
    assert.match(text(result), /^HTTP 503 Service Unavailable from GET \/pets\/\{petId\}/);
    assert.match(text(result), /Service Unavailable<\/h1>/);
  });

  test('invalid JSON where JSON was promised', async () => {
    const result = await getPet(s.client, 501);
    assert.equal(result.isError, true);
    assert.match(text(result), /promises JSON/);
  });

  test('a huge body is cut at MCP_MAX_RESPONSE_BYTES with a marker', async () => {
    const result = await getPet(s.client, 502);
    assert.equal(result.isError, true, 'a cut JSON body cannot be structured content');
    assert.match(text(result), /longer than the limit of 1000 bytes/);
    assert.match(text(result), /\[truncated after 1000 bytes\]/);
  });

  test('redirects are not followed', async () => {
    const before = upstream.requests.length;
    const result = await getPet(s.client, 503);
    assert.equal(result.isError, true);
    assert.match(text(result), /redirects are not followed/);
    assert.equal(upstream.requests.length, before + 1, 'one request, to the upstream only');
  });

  test('a slow upstream hits MCP_UPSTREAM_TIMEOUT', async () => {
    const started = Date.now();
    const result = await getPet(s.client, 504);
    assert.equal(result.isError, true);
    assert.match(text(result), /did not answer within 1 s/);
    assert.ok(Date.now() - started < 2900, 'the call ended at the timeout, not when the upstream answered');
  });
});

test('an upstream that refuses connections', async () => {
  // A port bound by nobody: take a free one and release it.
  const port = await new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const s = await serve({}, `http://127.0.0.1:${port}/v1`);
  try {
    const result = await getPet(s.client, 1);
    assert.equal(result.isError, true);
    assert.match(text(result), /could not connect to the upstream API/);
    assert.doesNotMatch(text(result), new RegExp(`127\\.0\\.0\\.1:${port}`), 'the upstream address stays private');
  } finally {
    await s.stop();
  }
});

test('MCP_MAX_CONCURRENT_CALLS queues calls: all succeed, never more in flight', async () => {
  const s = await serve({ MCP_MAX_CONCURRENT_CALLS: '2' });
  try {
    // Earlier tests' stalled requests may still be open upstream.
    for (let waited = 0; inFlight > 0 && waited < 5000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    maxInFlight = 0;
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => getPet(s.client, i + 1)));
    for (const [i, result] of results.entries()) {
      assert.equal(result.isError, false, text(result));
      assert.equal(result.structuredContent.id, i + 1, 'each answer is its own');
    }
    assert.equal(maxInFlight, 2);
  } finally {
    await s.stop();
  }
});

test('a request body over MCP_MAX_REQUEST_BYTES gets 413', async () => {
  const s = await serve({ MCP_MAX_REQUEST_BYTES: '4096' });
  try {
    const response = await fetch(s.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(10_000) } }),
    });
    assert.equal(response.status, 413);
    // The session still works for requests under the limit.
    assert.equal((await getPet(s.client, 7)).isError, false);
  } finally {
    await s.stop();
  }
});
