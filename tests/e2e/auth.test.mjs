// The generated server as an OAuth 2.1 resource server, against a real OpenID provider
// (oidc-provider 9.13.3) and the official MCP TypeScript SDK client, all on 127.0.0.1.
//
//   MCPWRIGHT_SERVER=<path to the petstore server binary> node --test auth.test.mjs
//
// The petstore example's operations need different scopes: pets:read to read, pets:write to add
// and change, pets:write + pets:admin to remove.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { freePort, spawnServer, startUpstream, text } from './harness.mjs';
import {
  HeadlessOAuthProvider,
  accessTokenClaims,
  clientCredentialsToken,
  foreignKeyToken,
  generateKeys,
  hs256WithPublicKey,
  mintToken,
  startIdp,
  unsignedToken,
} from './idp.mjs';

const bin = process.env.MCPWRIGHT_SERVER;
if (!bin) throw new Error('set MCPWRIGHT_SERVER to the generated petstore server binary');

const SCOPES = ['pets:read', 'pets:write', 'pets:admin'];
const INFO = { name: 'mcpwright-auth-e2e', version: '1.0.0' };
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: INFO },
};

let upstream;
let idp;
let jwtServer; // accepts JWTs for its resource URL
let opaqueServer; // introspects opaque tokens

/** Requests that reached the upstream with anything but this server's own credential. */
const leaks = [];

/** The petstore upstream: answers each pet id with that pet. */
function petstore({ method, url, body, headers }) {
  const carried = [headers.authorization, headers.cookie, url].join(' ');
  if (headers.authorization !== 'Bearer upstream-token' || /eyJ/.test(carried)) leaks.push({ url, headers });
  const path = url.split('?')[0];
  if (method === 'GET' && path === '/v1/pets') return { json: [] };
  const m = path.match(/^\/v1\/pets\/(\d+)$/);
  if (m && method === 'GET') return { json: { id: Number(m[1]), name: `pet ${m[1]}` } };
  if (method === 'POST' && path === '/v1/pets') return { status: 201, json: { ...JSON.parse(body), id: 7 } };
  return undefined;
}

/** Starts the server with OAuth on `port`, accepting tokens of `issuer`. */
async function startServer({ port, issuer, extraArgs = [], env = {} }) {
  const args = [
    'serve', '--transport', 'http', '--bind', `127.0.0.1:${port}`,
    '--issuer', issuer, '--auth-refresh-interval', '1', ...extraArgs,
  ];
  // The upstream gets this server's own credential, never the caller's token.
  const upstreamCredentials = { PETSTORE_AUTH_BEARER_TOKEN: 'upstream-token' };
  return spawnServer(bin, args, {
    MCP_UPSTREAM_URL: `${upstream.url}/v1`,
    MCP_LOG_LEVEL: 'info',
    ...upstreamCredentials,
    ...env,
  });
}

/** A raw JSON-RPC POST to the MCP endpoint. */
async function post(url, message, { token, headers = {} } = {}) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(message),
  });
}

/** The parameters of a `WWW-Authenticate: Bearer …` header. */
function challenge(response) {
  const header = response.headers.get('www-authenticate') ?? '';
  assert.match(header, /^Bearer /, `a Bearer challenge, got "${header}"`);
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

/** An SDK client connected with a static bearer token. */
async function clientWithToken(url, token) {
  const client = new Client(INFO);
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  return client;
}

/** The first log line matching `pattern`, waiting up to 5 s for it. */
async function waitForLine(logs, pattern) {
  for (let waited = 0; waited < 5000; waited += 50) {
    const line = logs.join('').split('\n').find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`no log line matches ${pattern}:\n${logs.join('')}`);
}

/** Valid claims for the JWT server. */
const claims = (overrides = {}) => accessTokenClaims(idp, overrides);

/** The JWT server's answer to `initialize` with `token`. */
const initializeWith = (token, options = {}) => post(jwtServer.url, INITIALIZE, { token, ...options });

async function expectInvalidToken(token, reason) {
  const response = await initializeWith(token);
  assert.equal(response.status, 401, `${reason}: status`);
  const params = challenge(response);
  assert.equal(params.error, 'invalid_token', `${reason}: error code`);
  assert.equal(params.resource_metadata, `${new URL(jwtServer.url).origin}/.well-known/oauth-protected-resource/mcp`);
  return params;
}

before(async () => {
  upstream = await startUpstream(petstore);
  const [jwtPort, opaquePort] = [await freePort(), await freePort()];
  const resource = `http://127.0.0.1:${jwtPort}/mcp`;
  const opaqueResource = `http://127.0.0.1:${opaquePort}/mcp`;
  idp = await startIdp({ resource, opaqueResource, scopes: SCOPES });
  jwtServer = await startServer({ port: jwtPort, issuer: idp.issuer });
  opaqueServer = await startServer({
    port: opaquePort,
    issuer: idp.issuer,
    env: {
      MCP_INTROSPECTION_CLIENT_ID: idp.clients.introspector.clientId,
      MCP_INTROSPECTION_CLIENT_SECRET: idp.clients.introspector.clientSecret,
    },
  });
});

after(async () => {
  const logs = [jwtServer?.logs, opaqueServer?.logs].flat().join('');
  await jwtServer?.stop();
  await opaqueServer?.stop();
  await idp?.close();
  await upstream?.close();
  assert.deepEqual(leaks, [], 'a caller token (or no credential) reached the upstream');
  // Tokens never reach the logs: no JWT-shaped string appears in what the servers printed.
  assert.doesNotMatch(logs, /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/, 'a token was logged');
});

describe('metadata and challenges', () => {
  test('protected-resource metadata (RFC 9728) at both well-known paths', async () => {
    const origin = new URL(jwtServer.url).origin;
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const response = await fetch(origin + path);
      assert.equal(response.status, 200, path);
      const document = await response.json();
      assert.equal(document.resource, jwtServer.url);
      assert.deepEqual(document.authorization_servers, [idp.issuer]);
      // The minimal set for basic use (the reads'); writes ask for more by step-up (2026-07-28).
      assert.deepEqual(document.scopes_supported, ['pets:read']);
      assert.deepEqual(document.bearer_methods_supported, ['header']);
    }
  });

  test('no token: 401 with resource_metadata and scope', async () => {
    const response = await initializeWith(undefined);
    assert.equal(response.status, 401);
    const params = challenge(response);
    assert.equal(params.error, undefined);
    assert.equal(params.resource_metadata, `${new URL(jwtServer.url).origin}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(params.scope, 'pets:read');
  });

  test('a foreign Origin gets 403, before any token check', async () => {
    const response = await initializeWith(undefined, { headers: { origin: 'http://evil.example' } });
    assert.equal(response.status, 403);
  });

  test("the server's own Origin is same-origin: allowed, and still needs a token", async () => {
    const response = await initializeWith(undefined, { headers: { origin: new URL(jwtServer.url).origin } });
    assert.equal(response.status, 401);
  });

  test('a Host that is not this server gets 403 (DNS rebinding)', async () => {
    const response = await new Promise((resolve, reject) => {
      // fetch cannot override Host; a raw request can.
      import('node:http').then(({ request }) => {
        const { port } = new URL(jwtServer.url);
        const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host: 'attacker.example', 'content-type': 'application/json' } }, resolve);
        req.on('error', reject);
        req.end(JSON.stringify(INITIALIZE));
      });
    });
    assert.equal(response.statusCode, 403);
  });
});

describe('the whole OAuth flow with the official SDK client', () => {
  for (const [name, clientInformation] of [
    ['dynamic client registration', undefined],
    ['a pre-registered client', () => ({ client_id: idp.clients.public.clientId })],
  ]) {
    test(`authorization code + PKCE S256 with ${name}, then tools/list and a tools/call`, async () => {
      const auth = new HeadlessOAuthProvider({ clientInformation: clientInformation?.() });
      const first = new StreamableHTTPClientTransport(new URL(jwtServer.url), { authProvider: auth });
      await assert.rejects(new Client(INFO).connect(first), UnauthorizedError);
      assert.equal(auth.authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(auth.authorizationUrl.searchParams.get('resource'), jwtServer.url);
      await first.finishAuth(auth.authorizationCode);
      const client = new Client(INFO);
      await client.connect(new StreamableHTTPClientTransport(new URL(jwtServer.url), { authProvider: auth }));
      const { tools, cacheScope } = await client.listTools();
      assert.equal(tools.length, 7);
      // An OAuth resource server accepts client-credentials tokens too, and says so (2026-07-28).
      assert.deepEqual(
        client.getServerCapabilities().extensions?.['io.modelcontextprotocol/oauth-client-credentials'],
        {},
      );
      assert.equal(cacheScope, 'public', 'without hidden tools the list is the same for everyone');
      upstream.take();
      const result = await client.callTool({ name: 'getPet', arguments: { petId: 5 } });
      assert.ok(!result.isError, text(result));
      assert.equal(result.structuredContent.id, 5);
      const [request] = upstream.take();
      assert.equal(request.url, '/v1/pets/5');
      assert.equal(request.headers.authorization, 'Bearer upstream-token', 'the MCP token never reaches the upstream');
      await client.close();
    });
  }

  test('client credentials: a token for pets:read reads, and needs pets:write to add', async () => {
    const read = await clientCredentialsToken({
      issuer: idp.issuer, ...idp.clients.service, scope: 'pets:read', resource: idp.resource,
    });
    const client = await clientWithToken(jwtServer.url, read);
    const result = await client.callTool({ name: 'getPet', arguments: { petId: 1 } });
    assert.ok(!result.isError, text(result));
    await client.close();

    // Missing scope: 403 insufficient_scope naming every scope the tool needs…
    const session = await initializeWith(read);
    assert.equal(session.status, 200);
    const sessionId = session.headers.get('mcp-session-id');
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'deletePet', arguments: { petId: 1 } } };
    let response = await post(jwtServer.url, call, { token: read, headers: { 'mcp-session-id': sessionId } });
    assert.equal(response.status, 403);
    const params = challenge(response);
    assert.equal(params.error, 'insufficient_scope');
    assert.equal(params.scope, 'pets:write pets:admin');
    assert.ok(params.resource_metadata);

    // …then success once the token has them (step-up).
    const write = await clientCredentialsToken({
      issuer: idp.issuer, ...idp.clients.service, scope: 'pets:read pets:write pets:admin', resource: idp.resource,
    });
    const stepped = await clientWithToken(jwtServer.url, write);
    const created = await stepped.callTool({ name: 'createPet', arguments: { body: { name: 'Rex' } } });
    assert.ok(!created.isError, text(created));
    assert.equal(created.structuredContent.id, 7);
    await stepped.close();
  });

  test('opaque tokens are accepted through introspection (RFC 7662)', async () => {
    const opaque = await clientCredentialsToken({
      issuer: idp.issuer, ...idp.clients.service, scope: 'pets:read', resource: idp.opaqueResource,
    });
    assert.equal(opaque.split('.').length, 1, 'the token is opaque');
    const client = await clientWithToken(opaqueServer.url, opaque);
    const result = await client.callTool({ name: 'getPet', arguments: { petId: 2 } });
    assert.ok(!result.isError, text(result));
    await client.close();
    const response = await post(opaqueServer.url, INITIALIZE, { token: 'opaque-but-unknown' });
    assert.equal(response.status, 401);
    assert.equal(challenge(response).error, 'invalid_token');
  });

  test('resources: read through their operation, with its scopes and the upstream credentials', async () => {
    const reader = await mintToken(idp.keys, claims({ scope: 'pets:read' }));
    const client = await clientWithToken(jwtServer.url, reader);
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.deepEqual(
      resourceTemplates.map((t) => [t.name, t.uriTemplate, t.mimeType]),
      [
        ['listPets', 'petstore-mcp://pets{?limit,status,tags}', 'application/json'],
        ['getPet', 'petstore://pets/{petId}', 'application/json'],
      ],
    );
    upstream.take();
    const read = await client.readResource({ uri: 'petstore://pets/5' });
    assert.equal(read.contents[0].uri, 'petstore://pets/5');
    assert.equal(read.contents[0].mimeType, 'application/json');
    assert.deepEqual(JSON.parse(read.contents[0].text), { id: 5, name: 'pet 5' });
    const [request] = upstream.take();
    assert.equal(request.url, '/v1/pets/5');
    assert.equal(request.headers.authorization, 'Bearer upstream-token', 'the MCP token never reaches the upstream');
    // Query variables, typed and validated as the tool's arguments.
    await client.readResource({ uri: 'petstore-mcp://pets?limit=3&status=pending&tags=a,b' });
    assert.equal(upstream.take()[0].url, '/v1/pets?limit=3&status=pending&tags=a,b');
    await assert.rejects(client.readResource({ uri: 'petstore-mcp://pets?limit=1000' }), /limit/);
    await assert.rejects(client.readResource({ uri: 'petstore://pets/five' }), /petId/);
    // A URI no template matches is not found, and nothing is sent.
    await assert.rejects(client.readResource({ uri: 'petstore://owners/1' }), /no resource/);
    assert.deepEqual(upstream.take(), []);
    const offered = await client.complete({
      ref: { type: 'ref/resource', uri: 'petstore-mcp://pets{?limit,status,tags}' },
      argument: { name: 'status', value: 'p' },
    });
    assert.deepEqual(offered.completion.values, ['pending']);
    await client.close();

    // Without pets:read: 403 insufficient_scope naming the resource and the scope, before rmcp.
    const none = await mintToken(idp.keys, claims({ scope: 'openid' }));
    const session = await initializeWith(none);
    assert.equal(session.status, 200);
    const readPet = { jsonrpc: '2.0', id: 4, method: 'resources/read', params: { uri: 'petstore://pets/5' } };
    const response = await post(jwtServer.url, readPet, { token: none, headers: { 'mcp-session-id': session.headers.get('mcp-session-id') } });
    assert.equal(response.status, 403);
    const params = challenge(response);
    assert.equal(params.error, 'insufficient_scope');
    assert.equal(params.scope, 'pets:read');
    assert.match(params.error_description, /the resource `petstore:\/\/pets\/\{petId\}`/);
    assert.deepEqual(upstream.take(), []);
  });

  test('the caller identity reaches the tool handler (and its log line), the token does not', async () => {
    const token = await mintToken(idp.keys, claims({ sub: 'alice', client_id: 'app-7' }));
    const client = await clientWithToken(jwtServer.url, token);
    await client.callTool({ name: 'getPet', arguments: { petId: 3 } });
    await client.close();
    // The log line is written after the answer; give it a moment to arrive through the pipe.
    const line = await waitForLine(jwtServer.logs, /tool call.*subject="?alice"?/);
    assert.match(line, /client="?app-7"?/);
    assert.ok(!jwtServer.logs.join('').includes(token));
  });
});

describe('negative matrix: each is refused', () => {
  test('control: a valid token is accepted', async () => {
    const response = await initializeWith(await mintToken(idp.keys, claims()));
    assert.equal(response.status, 200);
  });
  test('wrong audience', async () => {
    await expectInvalidToken(await mintToken(idp.keys, claims({ aud: 'http://127.0.0.1:1/other' })), 'wrong aud');
  });
  test('no audience', async () => {
    await expectInvalidToken(await mintToken(idp.keys, claims({ aud: undefined })), 'no aud');
  });
  test('expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const params = await expectInvalidToken(await mintToken(idp.keys, claims({ iat: now - 7200, exp: now - 3600 })), 'expired');
    assert.match(params.error_description, /expired/);
  });
  test('nbf in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectInvalidToken(await mintToken(idp.keys, claims({ nbf: now + 3600 })), 'nbf');
  });
  test('wrong issuer', async () => {
    await expectInvalidToken(await mintToken(idp.keys, claims({ iss: 'http://127.0.0.1:1' })), 'wrong iss');
  });
  test('a key not in the JWKS', async () => {
    await expectInvalidToken(await foreignKeyToken(claims()), 'foreign key');
    await expectInvalidToken(await foreignKeyToken(claims(), { kid: idp.keys.keys[0].kid }), 'foreign key, real kid');
  });
  test('alg: none', async () => {
    await expectInvalidToken(unsignedToken(claims()), 'alg none');
  });
  test('HS256 signed with the public key', async () => {
    await expectInvalidToken(await hs256WithPublicKey(idp.keys, claims()), 'HS256 with the PEM');
    await expectInvalidToken(await hs256WithPublicKey(idp.keys, claims(), { material: 'n' }), 'HS256 with n');
  });
  test('garbage', async () => {
    for (const garbage of ['not-a-token', 'a.b.c', 'eyJhbGciOiJSUzI1NiJ9.e30.AAAA', '%%%']) {
      const response = await initializeWith(garbage);
      assert.equal(response.status, 401, garbage);
      assert.equal(challenge(response).error, 'invalid_token', garbage);
    }
  });
  test('Basic scheme', async () => {
    const response = await initializeWith(undefined, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    assert.equal(response.status, 401);
    assert.ok(challenge(response).resource_metadata);
  });
  test('token in the query string', async () => {
    const token = await mintToken(idp.keys, claims());
    const response = await post(`${jwtServer.url}?access_token=${token}`, INITIALIZE);
    assert.equal(response.status, 401);
    assert.equal(challenge(response).error, 'invalid_request');
  });
  test('a follow-up request in a session without a token', async () => {
    const token = await mintToken(idp.keys, claims());
    const session = await initializeWith(token);
    assert.equal(session.status, 200);
    const sessionId = session.headers.get('mcp-session-id');
    assert.ok(sessionId);
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    const response = await post(jwtServer.url, list, { headers: { 'mcp-session-id': sessionId } });
    assert.equal(response.status, 401, 'a session id is not authentication');
  });
});

describe('keys and availability', () => {
  test('JWKS rotation: a token signed with a new key is accepted after the IdP rotates', async () => {
    const oldToken = await mintToken(idp.keys, claims());
    assert.equal((await initializeWith(oldToken)).status, 200);
    const oldKid = idp.keys.keys[0].kid;
    await idp.rotate(); // same issuer, a new key with a new kid, the old one no longer published
    assert.notEqual(idp.keys.keys[0].kid, oldKid);
    // The server refetches keys for an unknown kid at most once per refresh interval (1 s here).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const newToken = await mintToken(idp.keys, claims());
    assert.equal((await initializeWith(newToken)).status, 200, 'the new kid is picked up');
  });

  test('IdP down at start-up: requests are refused, then served once it is up', async () => {
    const [idpPort, serverPort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${idpPort}`;
    const server = await startServer({ port: serverPort, issuer });
    try {
      const resource = server.url;
      const keys = await generateKeys('late');
      const token = await mintToken(keys, {
        ...claims({ iss: issuer, aud: resource }),
      });
      const down = await post(server.url, INITIALIZE, { token });
      assert.equal(down.status, 503, 'refused, never let through');
      assert.ok(down.headers.get('retry-after'));
      const late = await startIdp({ port: idpPort, resource, scopes: SCOPES, keys });
      try {
        let status;
        for (let attempt = 0; attempt < 40 && status !== 200; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          status = (await post(server.url, INITIALIZE, { token })).status;
        }
        assert.equal(status, 200, 'served once the IdP answers');
      } finally {
        await late.close();
      }
    } finally {
      await server.stop();
    }
  });

  test('clock skew: exp and nbf within the 60 s leeway are accepted, beyond it refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const accepted = [claims({ exp: now - 30 }), claims({ nbf: now + 30 }), claims({ iat: now + 30 })];
    for (const c of accepted) {
      assert.equal((await initializeWith(await mintToken(idp.keys, c))).status, 200, JSON.stringify(c));
    }
    await expectInvalidToken(await mintToken(idp.keys, claims({ exp: now - 120 })), 'exp 2 min ago');
    await expectInvalidToken(await mintToken(idp.keys, claims({ nbf: now + 120 })), 'nbf in 2 min');
  });

  test('IdP down mid-run: cached keys keep working, unknown keys are refused, then picked up', async () => {
    const [idpPort, serverPort] = [await freePort(), await freePort()];
    const resource = `http://127.0.0.1:${serverPort}/mcp`;
    let live = await startIdp({ port: idpPort, resource, scopes: SCOPES });
    const server = await startServer({ port: serverPort, issuer: live.issuer });
    try {
      const tokenFor = (keys) => mintToken(keys, accessTokenClaims(live, { iss: live.issuer, aud: resource }));
      const known = await tokenFor(live.keys);
      assert.equal((await post(server.url, INITIALIZE, { token: known })).status, 200);
      await live.close();
      // Keys already fetched stay in use while the IdP is away.
      assert.equal((await post(server.url, INITIALIZE, { token: known })).status, 200, 'cached key');
      // A key the server has never seen cannot be checked: refused, never let through.
      const newKeys = await generateKeys('after-outage');
      const unknown = await tokenFor(newKeys);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // past the refetch rate limit
      const refused = await post(server.url, INITIALIZE, { token: unknown });
      assert.ok([401, 503].includes(refused.status), `refused, got ${refused.status}`);
      live = await startIdp({ port: idpPort, resource, scopes: SCOPES, keys: newKeys });
      let status;
      for (let attempt = 0; attempt < 40 && status !== 200; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = (await post(server.url, INITIALIZE, { token: unknown })).status;
      }
      assert.equal(status, 200, 'the new key is picked up once the IdP is back');
    } finally {
      await server.stop();
      await live.close();
    }
  });

  test('tools a token cannot call are hidden with --hide-unauthorized-tools', async () => {
    const port = await freePort();
    const server = await startServer({ port, issuer: idp.issuer, extraArgs: ['--hide-unauthorized-tools', '--audience', idp.resource] });
    try {
      const token = await mintToken(idp.keys, claims({ scope: 'pets:read' }));
      const client = await clientWithToken(server.url, token);
      const list = await client.listTools();
      assert.deepEqual(list.tools.map((t) => t.name), ['listPets', 'getPet', 'listVisits']);
      // The list depends on the token: no cache may share it with another caller (SEP-2549).
      assert.equal(list.cacheScope, 'private');
      assert.equal(list.ttlMs, 300000);
      // Hidden tools cannot be stepped up to, so this server asks for every scope up front.
      const metadata = await (await fetch(`${new URL(server.url).origin}/.well-known/oauth-protected-resource/mcp`)).json();
      assert.deepEqual(metadata.scopes_supported, SCOPES);
      await client.close();
      // Resources are hidden the same way: without pets:read, no template is listed.
      const nobody = await clientWithToken(server.url, await mintToken(idp.keys, claims({ scope: 'openid' })));
      const templates = await nobody.listResourceTemplates();
      assert.deepEqual(templates.resourceTemplates, []);
      assert.equal(templates.cacheScope, 'private');
      await nobody.close();
    } finally {
      await server.stop();
    }
  });

  test('a scope hierarchy lets a broader scope call a tool that needs a narrower one', async () => {
    // pets:admin implies pets:write at this authorization server; the crate does not know it.
    const admin = await mintToken(idp.keys, claims({ scope: 'pets:read pets:admin' }));
    const create = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'createPet', arguments: { body: { name: 'Rex' } } } };
    // Without the hierarchy: 403 insufficient_scope asking for pets:write.
    let session = await initializeWith(admin);
    let response = await post(jwtServer.url, create, { token: admin, headers: { 'mcp-session-id': session.headers.get('mcp-session-id') } });
    assert.equal(response.status, 403);
    assert.equal(challenge(response).scope, 'pets:write');
    // With it (MCP_SCOPE_IMPLIES): the call goes through.
    const port = await freePort();
    const server = await startServer({
      port, issuer: idp.issuer, extraArgs: ['--audience', idp.resource], env: { MCP_SCOPE_IMPLIES: 'pets:admin=pets:write' },
    });
    try {
      const client = await clientWithToken(server.url, admin);
      const created = await client.callTool({ name: 'createPet', arguments: { body: { name: 'Rex' } } });
      assert.ok(!created.isError, text(created));
      // Implication goes one way: pets:write does not grant pets:admin.
      const writer = await mintToken(idp.keys, claims({ scope: 'pets:read pets:write' }));
      const writerClient = await clientWithToken(server.url, writer);
      const removed = await writerClient.callTool({ name: 'deletePet', arguments: { petId: 1 } }).catch((err) => err);
      assert.ok(removed instanceof Error || removed.isError, 'deletePet needs pets:admin');
      await client.close();
      await writerClient.close().catch(() => {});
    } finally {
      await server.stop();
    }
  });
});

describe('auth check', () => {
  const run = promisify(execFile);
  test('reports the issuer\'s endpoints, PKCE S256 and keys', async () => {
    const { stdout } = await run(bin, ['auth', 'check', '--issuer', idp.issuer]);
    for (const expected of ['authorization_endpoint', 'token_endpoint', 'introspection_endpoint', 'registration_endpoint', 'jwks_uri']) {
      assert.match(stdout, new RegExp(`${expected}\\s+http://127\\.0\\.0\\.1`), expected);
    }
    assert.match(stdout, /PKCE S256\s+advertised/);
    assert.match(stdout, /signing keys\s+1 usable/);
    assert.match(stdout, /^ok:/m);
  });
  test('exits non-zero with an explanation when the issuer is unreachable', async () => {
    const port = await freePort();
    await assert.rejects(run(bin, ['auth', 'check', '--issuer', `http://127.0.0.1:${port}`]), (err) => {
      assert.notEqual(err.code, 0);
      assert.match(err.stdout, /problem: no metadata for issuer/);
      return true;
    });
  });
});
