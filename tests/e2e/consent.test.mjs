// Per-user consent (`user-consent`): the generated multi-auth server is the OAuth client of a
// third-party API (thirdparty.mjs, its own oidc-provider) for the `user` scheme, and every MCP user
// connects their own account. Real parts only: the inbound oidc-provider (idp.mjs) signs callers'
// tokens and the consent sign-in, the official TypeScript SDK client (2025-11-25, URL-mode
// elicitation), a browser stand-in with cookie jars (browser.mjs), a recording upstream that asks
// the third party whose token arrived, the file store, the 2026-07-28 wire, and — with MCPWRIGHT_REDIS_URL and
// MCPWRIGHT_NGINX — two replicas behind nginx sharing consent through a real Redis server.
//
//   MCPWRIGHT_SERVER=<multi-auth server> [MCPWRIGHT_REDIS_URL=redis://…] [MCPWRIGHT_NGINX=<nginx>]
//   node --test consent.test.mjs

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitationCompleteNotificationSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { freePort, spawnServer, startNginx, startUpstream, text } from './harness.mjs';
import { accessTokenClaims, mintToken, startIdp } from './idp.mjs';
import { startThirdParty } from './thirdparty.mjs';
import { Browser } from './browser.mjs';

const bin = process.env.MCPWRIGHT_SERVER;
if (!bin) throw new Error('set MCPWRIGHT_SERVER to the generated multi-auth server binary');

const SCOPES = ['reports:read', 'profile:read'];
const CONNECT = { clientId: 'mcp-connect', clientSecret: 'connect-secret-7' };
const THIRD = { clientId: 'mcp-at-third-party', clientSecret: 'third-party-secret-8' };
const STORE_KEY = crypto.randomBytes(32).toString('base64');
/** The third party's access token lifetime (s): short, so a refresh comes quickly. */
const TTL = 3;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let upstream;
let idp;
let tp;
let server;
let storeDir;
/** nginx's port for the replicas test: its callback URL is registered with the others. */
let balancerPort;
/** The 2026-07-28 server's port, registered likewise. */
let latestPort;
/** Every message any MCP client received, for the "never an upstream token" check. */
const received = [];
/** Every upstream token the third party issued that reached the upstream. */
const upstreamTokens = new Set();

/** The server's environment for a public URL and store. */
function serverEnv(publicUrl, store, extra = {}) {
  return {
    MCP_AUTH_ISSUER: idp.issuer,
    MCP_UPSTREAM_URL: `${upstream.url}/v1`,
    MCP_LOG_LEVEL: 'debug',
    MCP_PUBLIC_URL: publicUrl,
    MCP_CONNECT_CLIENT_ID: CONNECT.clientId,
    MCP_CONNECT_CLIENT_SECRET: CONNECT.clientSecret,
    MCP_TOKEN_STORE: store,
    MCP_TOKEN_STORE_KEY: STORE_KEY,
    USER_CLIENT_ID: THIRD.clientId,
    USER_CLIENT_SECRET: THIRD.clientSecret,
    // The spec's URLs are placeholders; the third party here is a local oidc-provider.
    USER_AUTHORIZATION_URL: tp.endpoints.authorization,
    USER_TOKEN_URL: tp.endpoints.token,
    ...extra,
  };
}

async function startServer(port, store, extra = {}, args = []) {
  return spawnServer(bin, ['serve', '--transport', 'http', '--bind', `127.0.0.1:${port}`, ...args], serverEnv(`http://127.0.0.1:${port}`, store, extra));
}

/** An MCP access token for `sub` from the inbound issuer. */
function mcpToken(sub) {
  const now = Math.floor(Date.now() / 1000);
  return mintToken(idp.keys, accessTokenClaims(idp, { sub, scope: SCOPES.join(' '), exp: now + 600 }));
}

/** The official SDK client for `sub`, declaring URL-mode elicitation; records what it receives. */
async function clientFor(url, sub) {
  const token = await mcpToken(sub);
  const client = new Client({ name: 'consent-e2e', version: '1.0.0' }, { capabilities: { elicitation: { url: {} } } });
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'decline' }));
  const completed = [];
  client.setNotificationHandler(ElicitationCompleteNotificationSchema, (n) => completed.push(n.params.elicitationId));
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  // The SDK sets onmessage in connect(); wrap it afterwards so every message is recorded.
  const onmessage = transport.onmessage;
  transport.onmessage = (message, extra) => {
    received.push(JSON.stringify(message));
    onmessage(message, extra);
  };
  return { client, token, completed, close: () => client.close() };
}

/** Calls getProfile: `{ result }`, or `{ elicitation }` when the server asks for consent. */
async function profile(mcp) {
  try {
    return { result: await mcp.client.callTool({ name: 'getProfile', arguments: {} }) };
  } catch (err) {
    if (err.code === -32042) {
      assert.equal(err.data.elicitations.length, 1);
      return { elicitation: err.data.elicitations[0] };
    }
    throw err;
  }
}

/** The upstream requests since the last call, with whose third-party account each carried. */
function upstreamCalls() {
  return upstream.take().map((r) => {
    const token = (r.headers.authorization ?? '').replace(/^Bearer /, '');
    if (token) upstreamTokens.add(token);
    return { path: r.url, account: tp.whoseToken(token) };
  });
}

/** Consent for `sub` through `browser`: the link opens, the sign-in and the third party approve. */
async function connectAccount(mcp, browser) {
  const answer = await profile(mcp);
  const { elicitation } = answer;
  assert.ok(elicitation, `consent is asked for: ${JSON.stringify(answer.result)}`);
  assert.equal(elicitation.mode, 'url');
  assert.match(elicitation.message, /profile:read/);
  assert.deepEqual(upstreamCalls(), [], 'nothing is sent upstream before consent');
  const page = await browser.open(elicitation.url);
  assert.equal(page.status, 200, page.body);
  assert.match(page.body, /connected/);
  return { elicitation, page };
}

before(async () => {
  upstream = await startUpstream(({ url }) => ({ json: { path: url.split('?')[0] } }));
  const port = await freePort();
  balancerPort = await freePort();
  latestPort = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const callbacks = [publicUrl, `http://127.0.0.1:${balancerPort}`, `http://127.0.0.1:${latestPort}`].map((base) => `${base}/connect/user/callback`);
  idp = await startIdp({
    resource: `${publicUrl}/mcp`,
    scopes: SCOPES,
    extraClients: [{
      client_id: CONNECT.clientId,
      client_secret: CONNECT.clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: callbacks,
    }],
  });
  tp = await startThirdParty({
    ...THIRD,
    redirectUris: callbacks,
    scopes: ['profile:read'],
    accessTokenTtl: TTL,
  });
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwright-consent-'));
  server = await startServer(port, `file:${path.join(storeDir, 'tokens.redb')}`);
  server.port = port;
});

after(async () => {
  await server?.stop();
  const logs = server?.logs.join('') ?? '';
  for (const secret of [CONNECT.clientSecret, THIRD.clientSecret, STORE_KEY, ...upstreamTokens]) {
    assert.ok(!logs.includes(secret), 'a secret or an upstream token reached the server log');
  }
  const everything = received.join('\n');
  for (const token of upstreamTokens) {
    assert.ok(!everything.includes(token), 'an upstream token reached an MCP client');
  }
  assert.ok(upstreamTokens.size >= 2, 'the tests saw upstream tokens to look for');
  await tp?.close();
  await idp?.close();
  await upstream?.close();
  if (storeDir) fs.rmSync(storeDir, { recursive: true, force: true });
});

describe('user consent with the official SDK client (2025-11-25, URL elicitation)', () => {
  test('two users each connect their own account and the upstream gets each one\'s token', async () => {
    const alice = await clientFor(server.url, 'alice');
    const bob = await clientFor(server.url, 'bob');
    const { elicitation } = await connectAccount(alice, new Browser({ account: 'alice' }));
    for (let i = 0; i < 50 && alice.completed.length === 0; i += 1) await sleep(100);
    assert.deepEqual(alice.completed, [elicitation.elicitationId], 'the client is told the consent completed');
    await connectAccount(bob, new Browser({ account: 'bob' }));
    for (const [mcp, account] of [[alice, 'alice'], [bob, 'bob']]) {
      const { result } = await profile(mcp);
      assert.ok(result && !result.isError, text(result ?? {}));
      assert.deepEqual(upstreamCalls(), [{ path: '/v1/me', account }]);
    }
    await alice.close();
    await bob.close();
  });

  test('a link opened by another signed-in user connects nothing', async () => {
    const carol = await clientFor(server.url, 'carol');
    const { elicitation } = await profile(carol);
    const page = await new Browser({ account: 'mallory' }).open(elicitation.url);
    assert.equal(page.status, 403);
    assert.match(page.body, /another user/);
    assert.ok(!page.hops.some((u) => u.startsWith(tp.issuer)), 'the browser never reached the third party');
    assert.ok((await profile(carol)).elicitation, 'carol still has no token');
    assert.match(server.logs.join(''), /opened by another user/);
    await carol.close();
  });

  test('a tampered, replayed or expired link is refused', async () => {
    const dave = await clientFor(server.url, 'dave');
    const { elicitation } = await profile(dave);
    const url = new URL(elicitation.url);
    const state = url.searchParams.get('state');
    const [body, tag] = state.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url'));
    const forged = `${Buffer.from(JSON.stringify({ ...claims, sub: 'alice' })).toString('base64url')}.${tag}`;
    url.searchParams.set('state', forged);
    const tampered = await new Browser({ account: 'alice' }).open(url.href);
    assert.equal(tampered.status, 400);
    assert.match(tampered.body, /altered/);
    // Expired: signed with the server's own key (derived as the server derives it), in the past.
    const key = crypto.hkdfSync('sha256', Buffer.from(STORE_KEY), Buffer.from('mcpwright consent'), Buffer.from('link state v1'), 32);
    const old = Buffer.from(JSON.stringify({ ...claims, nonce: 'n-old', exp: Math.floor(Date.now() / 1000) - 1 }));
    const sig = crypto.createHmac('sha256', Buffer.from(key)).update(old).digest('base64url');
    url.searchParams.set('state', `${old.toString('base64url')}.${sig}`);
    const expired = await new Browser({ account: 'dave' }).open(url.href);
    assert.equal(expired.status, 400);
    assert.match(expired.body, /expired/);
    // Used once (by dave), then replayed.
    await new Browser({ account: 'dave' }).open(elicitation.url);
    const replay = await new Browser({ account: 'dave' }).open(elicitation.url);
    assert.equal(replay.status, 400);
    assert.match(replay.body, /already been used/);
    await dave.close();
  });

  test('an expired token is refreshed; invalid_grant asks for consent again', async () => {
    const alice = await clientFor(server.url, 'alice');
    const first = await profile(alice);
    assert.ok(first.result, 'alice is connected');
    const [firstToken] = upstream.requests.slice(-1).map((r) => r.headers.authorization);
    upstreamCalls();
    const refreshes = tp.counters.refresh;
    await sleep((TTL + 1) * 1000);
    const again = await profile(alice);
    assert.ok(again.result && !again.result.isError);
    const [renewed] = upstream.requests.slice(-1).map((r) => r.headers.authorization);
    assert.deepEqual(upstreamCalls(), [{ path: '/v1/me', account: 'alice' }]);
    assert.notEqual(renewed, firstToken, 'a new access token');
    assert.equal(tp.counters.refresh, refreshes + 1, 'one refresh');
    await tp.revokeAll('alice');
    await sleep((TTL + 1) * 1000);
    assert.ok((await profile(alice)).elicitation, 'consent is asked for again');
    assert.deepEqual(upstreamCalls(), []);
    await connectAccount(alice, new Browser({ account: 'alice' }));
    await alice.close();
  });

  test('DELETE /connect/<scheme> disconnects and revokes at the third party', async () => {
    const bob = await clientFor(server.url, 'bob');
    assert.ok((await profile(bob)).result, 'bob is connected');
    assert.deepEqual(upstreamCalls(), [{ path: '/v1/me', account: 'bob' }]);
    const base = server.url.replace(/\/mcp$/, '');
    const anonymous = await fetch(`${base}/connect/user`, { method: 'DELETE' });
    assert.equal(anonymous.status, 401);
    const revocations = tp.counters.revocation;
    const gone = await fetch(`${base}/connect/user`, { method: 'DELETE', headers: { authorization: `Bearer ${bob.token}` } });
    assert.equal(gone.status, 204);
    assert.equal(tp.counters.revocation, revocations + 1);
    assert.ok((await profile(bob)).elicitation, 'bob must connect again');
    const twice = await fetch(`${base}/connect/user`, { method: 'DELETE', headers: { authorization: `Bearer ${bob.token}` } });
    assert.equal(twice.status, 404);
    await bob.close();
  });

  test('consent survives a restart with the file store', async () => {
    await server.stop();
    const logs = server.logs;
    const port = server.port;
    server = await startServer(port, `file:${path.join(storeDir, 'tokens.redb')}`);
    server.port = port;
    server.logs.unshift(...logs);
    const alice = await clientFor(server.url, 'alice');
    const { result } = await profile(alice);
    assert.ok(result && !result.isError, 'alice is still connected');
    assert.deepEqual(upstreamCalls(), [{ path: '/v1/me', account: 'alice' }]);
    await alice.close();
  });

  test('on the 2026-07-28 wire: an InputRequiredResult with a URL elicitation, then the retried call succeeds', async () => {
    const port = latestPort;
    // The stateless wire of 2026-07-28, with the same store: the replica knows nobody's session.
    const stateless = await startServer(port, `file:${path.join(storeDir, 'tokens-2026.redb')}`, {
      // The callers' tokens were issued for the first server's resource.
      MCP_AUTH_AUDIENCE: idp.resource,
    }, ['--stateless']);
    try {
      const token = await mcpToken('erin');
      // A request as the 2026-07-28 revision gives it: no initialize, version and capabilities
      // in `_meta`, the method and name in headers.
      const once = async () => {
        const response = await fetch(stateless.url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': '2026-07-28',
            'mcp-method': 'tools/call',
            'mcp-name': 'getProfile',
          },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: {
              name: 'getProfile',
              arguments: {},
              _meta: {
                'io.modelcontextprotocol/protocolVersion': '2026-07-28',
                'io.modelcontextprotocol/clientInfo': { name: 'consent-e2e', version: '1.0.0' },
                'io.modelcontextprotocol/clientCapabilities': { elicitation: { url: {} } },
              },
            },
          }),
        });
        const body = await response.text();
        received.push(body);
        assert.equal(response.status, 200, body);
        return JSON.parse(body).result;
      };
      const first = await once();
      assert.equal(first.resultType, 'input_required', JSON.stringify(first));
      const requests = Object.values(first.inputRequests ?? {});
      assert.equal(requests.length, 1, JSON.stringify(first));
      assert.equal(requests[0].method, 'elicitation/create');
      assert.equal(requests[0].params.mode, 'url');
      assert.match(requests[0].params.message, /profile:read/);
      assert.deepEqual(upstreamCalls(), []);
      const page = await new Browser({ account: 'erin' }).open(requests[0].params.url);
      assert.equal(page.status, 200, page.body);
      const retried = await once();
      assert.ok(retried.content && !retried.isError, JSON.stringify(retried));
      assert.deepEqual(upstreamCalls(), [{ path: '/v1/me', account: 'erin' }]);
    } finally {
      await stateless.stop();
      server.logs.push(...stateless.logs);
    }
  });

  const replicated = process.env.MCPWRIGHT_REDIS_URL && process.env.MCPWRIGHT_NGINX;
  test('two stateless replicas behind nginx share consent through Redis', { skip: !replicated && 'set MCPWRIGHT_REDIS_URL and MCPWRIGHT_NGINX' }, async () => {
    const ports = [await freePort(), await freePort()];
    const publicUrl = `http://127.0.0.1:${balancerPort}`;
    const balancer = await startNginx(process.env.MCPWRIGHT_NGINX, `upstream mcp { ${ports.map((p) => `server 127.0.0.1:${p};`).join(' ')} }
  server {
    listen 127.0.0.1:{port};
    location / {
      proxy_pass http://mcp;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;
    }
  }`, balancerPort);
    const replicas = [];
    try {
      for (const port of ports) {
        replicas.push(await spawnServer(bin, ['serve', '--transport', 'http', '--stateless', '--bind', `127.0.0.1:${port}`, '--resource-url', `${publicUrl}/mcp`], serverEnv(publicUrl, process.env.MCPWRIGHT_REDIS_URL, {
          // The callers' tokens were issued for the first server's resource.
          MCP_AUTH_AUDIENCE: idp.resource,
        })));
      }
      const frank = await clientFor(`${publicUrl}/mcp`, 'frank');
      // The link, the sign-in and the consent each may land on either replica.
      await connectAccount(frank, new Browser({ account: 'frank' }));
      for (let i = 0; i < 6; i += 1) {
        const { result } = await profile(frank);
        assert.ok(result && !result.isError, 'every replica has frank\'s consent');
      }
      assert.deepEqual(upstreamCalls(), Array(6).fill({ path: '/v1/me', account: 'frank' }));
      for (const replica of replicas) {
        assert.match(replica.logs.join(''), /tool call/, 'both replicas served calls');
      }
      await frank.close();
    } finally {
      for (const replica of replicas) {
        await replica.stop();
        server.logs.push(...replica.logs);
      }
      await balancer.stop();
    }
  });

  test('without a token store the server refuses to start and says what to set', async () => {
    const port = await freePort();
    await assert.rejects(
      startServer(port, '', { MCP_TOKEN_STORE: '' }),
      (err) => /MCP_TOKEN_STORE/.test(err.message) && /refus|cannot start/.test(err.message),
    );
  });
});
