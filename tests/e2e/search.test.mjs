// Search mode end to end: a server generated from Slack's Web API description (174 operations,
// so `auto` serves search mode), driven by the official MCP TypeScript SDK client over stdio and
// streamable HTTP, in front of a recording upstream, with a real OpenID provider (oidc-provider)
// issuing the tokens.
//
//   MCPWRIGHT_SERVER=<path to the slack-mcp binary> node --test search.test.mjs
//
// Slack's operations need scopes: `users.info` needs users:read, `chat.postMessage` needs both
// chat:write:user and chat:write:bot.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort, spawnServer, startUpstream, text } from './harness.mjs';
import { clientCredentialsToken, startIdp } from './idp.mjs';

const bin = process.env.MCPWRIGHT_SERVER;
if (!bin) throw new Error('set MCPWRIGHT_SERVER to the generated slack-mcp binary');

const INFO = { name: 'mcpwright-search-e2e', version: '1.0.0' };
const SCOPES = ['users:read', 'chat:write:user', 'chat:write:bot', 'channels:read'];
const TOOLS = ['search_operations', 'describe_operation', 'call_operation'];

let upstream;
let idp;

/** The Slack upstream: every method answers `{ok: true}` and a little data. */
function slack({ method, url }) {
  const path = url.split('?')[0];
  if (method === 'GET' && path === '/api/users.info') return { json: { ok: true, user: { id: 'U1', name: 'ada' } } };
  if (method === 'POST' && path === '/api/chat.postMessage') {
    const ts = '1503435956.000247';
    return { json: { ok: true, channel: 'C012AB3CD', ts, message: { type: 'message', text: 'hi', ts } } };
  }
  return { json: { ok: true } };
}

const env = () => ({
  MCP_UPSTREAM_URL: `${upstream.url}/api`,
  // The server's own upstream credential (never the MCP caller's token).
  SLACK_AUTH_STRATEGY: 'static',
  SLACK_AUTH_BEARER_TOKEN: 'upstream-token',
});

async function stdioClient(extraArgs = []) {
  const client = new Client(INFO);
  await client.connect(
    new StdioClientTransport({
      command: bin,
      args: ['serve', '--transport', 'stdio', ...extraArgs],
      env: { ...process.env, ...env() },
      stderr: 'pipe',
    }),
  );
  return client;
}

const call = (client, name, args) => client.callTool({ name, arguments: args });
const search = async (client, query, extra = {}) =>
  (await call(client, 'search_operations', { query, limit: 10, ...extra })).structuredContent.results;

before(async () => {
  upstream = await startUpstream(slack);
});

after(async () => {
  await idp?.close();
  await upstream?.close();
  // The MCP clients' tokens never reached the upstream, only the server's own credential.
  for (const request of upstream.requests) {
    assert.equal(request.headers.authorization, 'Bearer upstream-token', request.url);
  }
});

describe('over stdio', () => {
  let client;
  before(async () => {
    client = await stdioClient();
  });
  after(async () => client?.close());

  test('tools/list holds exactly the three search tools, small', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), TOOLS);
    assert.ok(JSON.stringify({ tools }).length < 6 * 1024, 'tools/list under 6 KB');
    const description = tools[0].description;
    assert.match(description, /Slack Web API/);
    assert.match(description, /\(174 operations\)/);
    assert.match(description, /chat \(\d+\)/, 'the overview counts operations per tag');
  });

  test('search → describe → call reaches the upstream with the right request', async () => {
    const results = await search(client, 'show details about a user');
    assert.ok(results.length > 0 && results.length <= 10);
    const found = results.find((r) => r.name === 'users_info');
    assert.ok(found, `users_info among ${results.map((r) => r.name)}`);
    assert.equal(found.method, 'GET');
    assert.equal(found.path, '/users.info');
    assert.deepEqual(found.scopes, [['users:read']]);
    assert.equal(found.read_only, true);
    assert.equal(found.allowed, true);
    assert.ok(found.required.includes('token'));
    for (let i = 1; i < results.length; i += 1) assert.ok(results[i - 1].score >= results[i].score, 'best first');

    const described = await call(client, 'describe_operation', { name: 'users_info' });
    assert.ok(!described.isError, text(described));
    const d = described.structuredContent;
    assert.equal(d.path, '/users.info');
    assert.equal(d.inputSchema.type, 'object');
    assert.ok('user' in d.inputSchema.properties);
    assert.equal(d.annotations.readOnlyHint, true);
    // The very schema one-tool-per-operation mode lists for the tool.
    const operations = await stdioClient(['--tool-mode', 'operations']);
    const { tools } = await operations.listTools();
    await operations.close();
    assert.ok(tools.length === 174);
    assert.deepEqual(d.inputSchema, tools.find((t) => t.name === 'users_info').inputSchema);

    upstream.take();
    const result = await call(client, 'call_operation', { name: 'users_info', arguments: { token: 't', user: 'U1' } });
    assert.ok(!result.isError, text(result));
    const [request] = upstream.take();
    assert.equal(request.method, 'GET');
    const url = new URL(request.url, upstream.url);
    assert.equal(url.pathname, '/api/users.info');
    assert.equal(url.searchParams.get('user'), 'U1');
  });

  test('a bad argument is a tool error naming the field, and nothing reaches the upstream', async () => {
    upstream.take();
    const result = await call(client, 'call_operation', { name: 'users_info', arguments: { token: 't', user: 5 } });
    assert.equal(result.isError, true);
    assert.match(text(result), /user/);
    assert.match(text(result), /describe_operation/);
    assert.deepEqual(upstream.take(), []);
  });

  test('an unknown operation suggests the closest names', async () => {
    const result = await call(client, 'call_operation', { name: 'users_infoo', arguments: {} });
    assert.equal(result.isError, true);
    assert.match(text(result), /`users_info`/);
    const tag = await call(client, 'search_operations', { query: 'x', tag: 'chatt' });
    assert.equal(tag.isError, true);
    assert.match(text(tag), /`chat`/);
  });

  test('the operations are not tools of their own in search mode', async () => {
    await assert.rejects(call(client, 'users_info', { token: 't' }), /call_operation/);
  });

  test('a tag narrows the search', async () => {
    const results = await search(client, 'list', { tag: 'chat' });
    assert.ok(results.length > 0);
    for (const r of results) assert.match(r.path, /^\/chat\./);
  });
});

describe('read-only', () => {
  test('writes are neither found nor called', async () => {
    const client = await stdioClient(['--read-only']);
    try {
      const results = await search(client, 'post a message to a channel');
      assert.ok(results.length > 0);
      for (const r of results) assert.equal(r.method, 'GET', `${r.name} in read-only mode`);
      upstream.take();
      const result = await call(client, 'call_operation', { name: 'chat_postMessage', arguments: { token: 't', body: { channel: 'C1', text: 'hi' } } });
      assert.equal(result.isError, true);
      assert.deepEqual(upstream.take(), []);
    } finally {
      await client.close();
    }
  });

  test('in operations mode too', async () => {
    const client = await stdioClient(['--tool-mode', 'operations', '--read-only']);
    try {
      const { tools } = await client.listTools();
      assert.ok(tools.length > 0 && tools.every((t) => t.annotations.readOnlyHint), 'only safe methods listed');
      const result = await call(client, 'chat_postMessage', { token: 't', channel: 'C1', text: 'hi' });
      assert.equal(result.isError, true);
      assert.match(text(result), /read-only/);
    } finally {
      await client.close();
    }
  });
});

describe('over HTTP with OAuth', () => {
  let server;
  let hiding;
  let resource;
  before(async () => {
    const [port, hidingPort] = [await freePort(), await freePort()];
    resource = `http://127.0.0.1:${port}/mcp`;
    idp = await startIdp({ resource, scopes: SCOPES });
    const start = (p, extra = {}) =>
      spawnServer(
        bin,
        ['serve', '--transport', 'http', '--bind', `127.0.0.1:${p}`, '--issuer', idp.issuer, '--resource-url', resource],
        { ...env(), ...extra },
      );
    server = await start(port);
    hiding = await start(hidingPort, { MCP_HIDE_UNAUTHORIZED_TOOLS: 'true' });
  });
  after(async () => {
    await server?.stop();
    await hiding?.stop();
    assert.doesNotMatch([server?.logs, hiding?.logs].flat().join(''), /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/, 'a token was logged');
  });

  const token = (scope) =>
    clientCredentialsToken({
      issuer: idp.issuer,
      clientId: idp.clients.service.clientId,
      clientSecret: idp.clients.service.clientSecret,
      scope,
      resource,
    });

  async function connectWith(url, accessToken) {
    const client = new Client(INFO);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${accessToken}` } } }),
    );
    return client;
  }

  test('call_operation gets the operation’s 403 step-up challenge, then succeeds', async () => {
    const narrow = await token('users:read');
    const client = await connectWith(server.url, narrow);
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name), TOOLS);
      const results = await search(client, 'send a message to a channel');
      const post = results.find((r) => r.name === 'chat_postMessage');
      assert.ok(post, `chat_postMessage among ${results.map((r) => r.name)}`);
      assert.equal(post.allowed, false);
      assert.deepEqual(post.scopes, [['chat:write:user', 'chat:write:bot']]);
      upstream.take();
      const ok = await call(client, 'call_operation', { name: 'users_info', arguments: { token: 't', user: 'U1' } });
      assert.ok(!ok.isError, text(ok));
      assert.equal(upstream.take().length, 1);
    } finally {
      await client.close();
    }

    // The HTTP layer reads the operation from call_operation's arguments: the same 403 a direct
    // tool call gets, with the operation's scopes.
    const initialize = {
      jsonrpc: '2.0', id: 1, method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: INFO },
    };
    const headers = (t, session) => ({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${t}`,
      ...(session ? { 'mcp-session-id': session } : {}),
    });
    const opened = await fetch(server.url, { method: 'POST', headers: headers(narrow), body: JSON.stringify(initialize) });
    const session = opened.headers.get('mcp-session-id');
    await opened.text();
    const postCall = {
      jsonrpc: '2.0', id: 2, method: 'tools/call',
      params: { name: 'call_operation', arguments: { name: 'chat_postMessage', arguments: { token: 't', body: { channel: 'C1', text: 'hi' } } } },
    };
    upstream.take();
    const refused = await fetch(server.url, { method: 'POST', headers: headers(narrow, session), body: JSON.stringify(postCall) });
    assert.equal(refused.status, 403);
    const challenge = refused.headers.get('www-authenticate');
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="chat:write:user chat:write:bot"/);
    assert.match(challenge, /resource_metadata="/);
    assert.deepEqual(upstream.take(), [], 'nothing reached the upstream');

    const wide = await token('users:read chat:write:user chat:write:bot');
    const stepped = await connectWith(server.url, wide);
    try {
      const result = await call(stepped, 'call_operation', { name: 'chat_postMessage', arguments: { token: 't', body: { channel: 'C1', text: 'hi' } } });
      assert.ok(!result.isError, text(result));
      const [request] = upstream.take();
      assert.equal(request.method, 'POST');
      assert.match(request.url, /^\/api\/chat\.postMessage/);
    } finally {
      await stepped.close();
    }
  });

  test('with hidden tools, operations the token cannot call are not found or described', async () => {
    const narrow = await token('users:read');
    const client = await connectWith(hiding.url, narrow);
    try {
      const results = await search(client, 'send a message to a channel');
      assert.ok(!results.some((r) => r.name === 'chat_postMessage'));
      assert.ok(results.every((r) => r.allowed), 'only allowed operations');
      const described = await call(client, 'describe_operation', { name: 'chat_postMessage' });
      assert.equal(described.isError, true);
      assert.match(text(described), /unknown operation/);
      const users = await search(client, 'look up the profile of a user');
      assert.ok(users.some((r) => r.name === 'users_info'));
    } finally {
      await client.close();
    }
  });
});
