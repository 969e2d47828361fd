// Outbound credentials: the generated multi-auth server calls a recording upstream, and each test
// asserts exactly which credential arrived and where. OAuth 2 tokens come from a real OpenID
// provider (oidc-provider 9.13.3): client credentials and RFC 8693 token exchange. The server runs
// over HTTP with inbound OAuth, and no MCP client token may ever reach the upstream.
//
//   MCPWRIGHT_SERVER=<path to the multi-auth server binary> node --test credentials.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as jose from 'jose';
import { freePort, spawnServer, startUpstream, text } from './harness.mjs';
import { accessTokenClaims, mintToken, startIdp } from './idp.mjs';

const bin = process.env.MCPWRIGHT_SERVER;
if (!bin) throw new Error('set MCPWRIGHT_SERVER to the generated multi-auth server binary');

const INFO = { name: 'mcpwright-credentials-e2e', version: '1.0.0' };
const SCOPES = ['reports:read', 'profile:read'];
/** Every secret the server is configured with: none may show up in logs or tool errors. */
const SECRETS = {
  HEADER_KEY_API_KEY: 'hk-secret-1',
  QUERY_KEY_API_KEY: 'qk-secret-2',
  COOKIE_KEY_API_KEY: 'ck-secret-3',
  BEARER_BEARER_TOKEN: 'bt-secret-4',
  BASIC_USERNAME: 'alice',
  BASIC_PASSWORD: 'p@ss:w0rd-5',
};

let upstream;
let idp;
let server; // every credential configured
let client; // an MCP client with its own token
/** Every token an MCP client used here: none may reach the upstream (bar passthrough). */
const callerTokens = [];
/** The token the upstream refuses once (to test the retry on 401), when set. */
let refuseOnce = null;

before(async () => {
  upstream = await startUpstream(({ url, headers }) => {
    const auth = headers.authorization ?? '';
    if (refuseOnce && auth === `Bearer ${refuseOnce}`) {
      refuseOnce = null;
      return { status: 401, json: { message: 'token revoked' } };
    }
    return { json: { path: url.split('?')[0] } };
  });
  const serverPort = await freePort();
  const resource = `http://127.0.0.1:${serverPort}/mcp`;
  const upstreamResource = `${upstream.url}/v1`;
  idp = await startIdp({ resource, scopes: SCOPES, upstreamResource, accessTokenTtl: 3 });
  server = await spawnServer(bin, ['serve', '--transport', 'http', '--bind', `127.0.0.1:${serverPort}`], {
    MCP_AUTH_ISSUER: idp.issuer,
    MCP_UPSTREAM_URL: upstreamResource,
    MCP_LOG_LEVEL: 'info',
    ...SECRETS,
    MACHINE_CLIENT_ID: idp.clients.service.clientId,
    MACHINE_CLIENT_SECRET: idp.clients.service.clientSecret,
    MACHINE_TOKEN_URL: `${idp.issuer}/token`,
    MACHINE_AUDIENCE: upstreamResource,
    // The spec's `user` token URL is not this IdP's, so user consent would be the default; this
    // suite tests token exchange (consent.test.mjs tests consent).
    USER_STRATEGY: 'token-exchange',
    USER_CLIENT_ID: idp.clients.exchanger.clientId,
    USER_CLIENT_SECRET: idp.clients.exchanger.clientSecret,
  });
  client = await connect(server.url, await newCallerToken());
});

after(async () => {
  await client?.close();
  await server?.stop();
  await idp?.close();
  const everything = upstream.requests.map((r) => `${r.url} ${JSON.stringify(r.headers)} ${r.body}`).join('\n');
  await upstream?.close();
  // The MCP client's token never reached the upstream, in any test (the passthrough test uses a
  // server of its own and a token of its own).
  for (const token of callerTokens) assert.ok(!everything.includes(token), 'an MCP client token reached the upstream');
  const logs = server?.logs.join('') ?? '';
  for (const [name, secret] of Object.entries({ ...SECRETS, MACHINE: 'service-secret', USER: 'exchanger-secret' })) {
    assert.ok(!logs.includes(secret), `${name}'s secret appears in the server log`);
  }
});

/**
 * An MCP client's own token: for this server, with the scopes its tools need, signed by the IdP's
 * key, living 10 minutes (the IdP's issued tokens live 3 s here, to test the upstream cache).
 */
async function newCallerToken({ passthrough = false } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const token = await mintToken(idp.keys, accessTokenClaims(idp, { scope: SCOPES.join(' '), exp: now + 600 }));
  if (!passthrough) callerTokens.push(token);
  return token;
}

async function connect(url, token) {
  const c = new Client(INFO);
  await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return c;
}

/** Calls `name` and returns the result with the upstream requests it caused. */
async function call(name, args = {}, via = client) {
  upstream.take();
  const result = await via.callTool({ name, arguments: args });
  return { result, requests: upstream.take() };
}

/** The credentials a request carried, besides the ones named in `except`. */
function credentials(request) {
  const url = new URL(request.url, 'http://x');
  return {
    authorization: request.headers.authorization,
    key: request.headers['x-api-key'],
    cookie: request.headers.cookie,
    query: url.searchParams.get('api_key') ?? undefined,
  };
}

const none = { authorization: undefined, key: undefined, cookie: undefined, query: undefined };

describe('static credentials arrive exactly where the scheme says', () => {
  test('API key in a header', async () => {
    const { result, requests } = await call('withHeaderKey');
    assert.ok(!result.isError, text(result));
    assert.deepEqual(credentials(requests[0]), { ...none, key: SECRETS.HEADER_KEY_API_KEY });
  });
  test('API key in the query, after the arguments', async () => {
    const { result, requests } = await call('withQueryKey', { q: 'x y' });
    assert.ok(!result.isError, text(result));
    assert.equal(requests[0].url, `/v1/query-key?q=x%20y&api_key=${SECRETS.QUERY_KEY_API_KEY}`);
    assert.deepEqual(credentials(requests[0]), { ...none, query: SECRETS.QUERY_KEY_API_KEY });
  });
  test('API key in a cookie', async () => {
    const { requests } = await call('withCookieKey');
    assert.deepEqual(credentials(requests[0]), { ...none, cookie: `session=${SECRETS.COOKIE_KEY_API_KEY}` });
  });
  test('HTTP bearer', async () => {
    const { requests } = await call('withBearer');
    assert.deepEqual(credentials(requests[0]), { ...none, authorization: `Bearer ${SECRETS.BEARER_BEARER_TOKEN}` });
  });
  test('HTTP basic', async () => {
    const { requests } = await call('withBasic');
    const basic = Buffer.from(`${SECRETS.BASIC_USERNAME}:${SECRETS.BASIC_PASSWORD}`).toString('base64');
    assert.deepEqual(credentials(requests[0]), { ...none, authorization: `Basic ${basic}` });
  });
  test('two schemes AND-combined: both arrive', async () => {
    const { requests } = await call('withKeyAndBasic');
    const basic = Buffer.from(`${SECRETS.BASIC_USERNAME}:${SECRETS.BASIC_PASSWORD}`).toString('base64');
    assert.deepEqual(credentials(requests[0]), { ...none, key: SECRETS.HEADER_KEY_API_KEY, authorization: `Basic ${basic}` });
  });
  test('alternatives: the first configured requirement is used, and only it', async () => {
    const { requests } = await call('withBearerOrKey');
    assert.deepEqual(credentials(requests[0]), { ...none, authorization: `Bearer ${SECRETS.BEARER_BEARER_TOKEN}` });
  });
  test('security: [] sends nothing', async () => {
    const { result, requests } = await call('readPublic');
    assert.ok(!result.isError, text(result));
    assert.deepEqual(credentials(requests[0]), none);
  });
});

describe('OAuth 2 client credentials against a real token endpoint', () => {
  test('a token for the upstream, cached across calls', async () => {
    const before = idp.counters.clientCredentials;
    const first = await call('listReports');
    assert.ok(!first.result.isError, text(first.result));
    const token = first.requests[0].headers.authorization?.replace(/^Bearer /, '');
    const claims = jose.decodeJwt(token);
    assert.equal(claims.aud, `${upstream.url}/v1`);
    assert.equal(claims.client_id, idp.clients.service.clientId);
    assert.match(claims.scope, /reports:read/);
    const second = await call('listReports');
    assert.equal(second.requests[0].headers.authorization, `Bearer ${token}`, 'the cached token is reused');
    assert.equal(idp.counters.clientCredentials - before, 1, 'one token request for two calls');
  });

  test('refreshed after it expires', async () => {
    const first = await call('listReports');
    const old = first.requests[0].headers.authorization;
    await new Promise((resolve) => setTimeout(resolve, 3200)); // the IdP's TTL here is 3 s
    const second = await call('listReports');
    assert.ok(!second.result.isError, text(second.result));
    assert.notEqual(second.requests[0].headers.authorization, old, 'a new token after expiry');
  });

  test('one retry with a fresh token on an upstream 401', async () => {
    const warm = await call('listReports');
    const refused = warm.requests[0].headers.authorization.replace(/^Bearer /, '');
    refuseOnce = refused;
    const before = idp.counters.clientCredentials;
    const { result, requests } = await call('listReports');
    assert.ok(!result.isError, text(result));
    assert.equal(requests.length, 2, 'the refused request and its retry');
    assert.equal(requests[0].headers.authorization, `Bearer ${refused}`);
    assert.notEqual(requests[1].headers.authorization, requests[0].headers.authorization);
    assert.equal(idp.counters.clientCredentials - before, 1);
  });
});

describe('RFC 8693 token exchange against a real token endpoint', () => {
  test("the caller's token is exchanged for one meant for the upstream, cached per subject", async () => {
    // A fresh caller: the test IdP's short TTL may have ended the first one's life.
    const token = await newCallerToken();
    const caller = await connect(server.url, token);
    const before = idp.counters.tokenExchange;
    const { result, requests } = await call('getProfile', {}, caller);
    assert.ok(!result.isError, text(result));
    const sent = requests[0].headers.authorization.replace(/^Bearer /, '');
    assert.notEqual(sent, token, "the caller's own token is not forwarded");
    const claims = jose.decodeJwt(sent);
    assert.equal(claims.aud, `${upstream.url}/v1`, 'audience: the upstream API');
    assert.equal(claims.sub, jose.decodeJwt(token).sub, 'for the same subject');
    assert.equal(claims.act?.sub, idp.clients.exchanger.clientId, 'acting: this server');
    assert.match(claims.scope, /profile:read/);
    const again = await call('getProfile', {}, caller);
    assert.equal(again.requests[0].headers.authorization, `Bearer ${sent}`, 'reused for the same subject');
    assert.equal(idp.counters.tokenExchange - before, 1);
    await caller.close();
  });
});

describe('missing credentials', () => {
  let bare;
  let bareClient;
  before(async () => {
    const port = await freePort();
    bare = await spawnServer(bin, ['serve', '--transport', 'http', '--bind', `127.0.0.1:${port}`, '--audience', idp.resource], {
      MCP_AUTH_ISSUER: idp.issuer,
      MCP_UPSTREAM_URL: `${upstream.url}/v1`,
    });
    bareClient = await connect(bare.url, await newCallerToken());
  });
  after(async () => {
    await bareClient?.close();
    await bare?.stop();
  });

  test('a tool error names the variables to set, and nothing is sent', async () => {
    const { result, requests } = await call('withBearer', {}, bareClient);
    assert.equal(result.isError, true);
    assert.match(text(result), /BEARER_BEARER_TOKEN/);
    assert.equal(requests.length, 0, 'never an unauthenticated request');
  });
  test('with alternatives, every way to satisfy one is named', async () => {
    const { result, requests } = await call('withBearerOrKey', {}, bareClient);
    assert.equal(result.isError, true);
    assert.match(text(result), /BEARER_BEARER_TOKEN/);
    assert.match(text(result), /HEADER_KEY_API_KEY/);
    assert.equal(requests.length, 0);
  });
  test('an AND requirement names every missing variable', async () => {
    const { result } = await call('withKeyAndBasic', {}, bareClient);
    for (const name of ['HEADER_KEY_API_KEY', 'BASIC_USERNAME', 'BASIC_PASSWORD']) assert.match(text(result), new RegExp(name));
  });
  test('security: [] still works', async () => {
    const { result, requests } = await call('readPublic', {}, bareClient);
    assert.ok(!result.isError, text(result));
    assert.deepEqual(credentials(requests[0]), none);
  });
});

describe('passthrough and stdio', () => {
  test('passthrough forwards the caller token only when configured, with a warning', async () => {
    const port = await freePort();
    const unsafe = await spawnServer(bin, ['serve', '--transport', 'http', '--bind', `127.0.0.1:${port}`, '--audience', idp.resource], {
      MCP_AUTH_ISSUER: idp.issuer,
      MCP_UPSTREAM_URL: `${upstream.url}/v1`,
      USER_STRATEGY: 'passthrough',
    });
    try {
      assert.match(unsafe.logs.join(''), /passthrough.*unsafe/i);
      const token = await newCallerToken({ passthrough: true });
      const c = await connect(unsafe.url, token);
      const { requests } = await call('getProfile', {}, c);
      assert.equal(requests[0].headers.authorization, `Bearer ${token}`);
      await c.close();
    } finally {
      await unsafe.stop();
    }
  });

  test('over stdio, user-flow schemes take a static token', async () => {
    const stdio = new Client(INFO);
    await stdio.connect(new StdioClientTransport({
      command: bin,
      args: ['serve', '--transport', 'stdio'],
      env: { ...process.env, MCP_UPSTREAM_URL: `${upstream.url}/v1`, USER_BEARER_TOKEN: 'user-static-6' },
      stderr: 'pipe',
    }));
    try {
      const { result, requests } = await call('getProfile', {}, stdio);
      assert.ok(!result.isError, text(result));
      assert.equal(requests[0].headers.authorization, 'Bearer user-static-6');
    } finally {
      await stdio.close();
    }
  });
});
