// `mcpwright auth test --headless` against the petstore example's server with OAuth and a real
// OpenID provider (oidc-provider 9.13.3), all on 127.0.0.1: the whole flow passes, and each
// misconfiguration this harness can make gives ✗ at the right step with its fix.
//
//   MCPWRIGHT_SERVER=<petstore server> MCPWRIGHT_CLI=<mcpwright> MCPWRIGHT_CRATE=<petstore crate> \
//     node --test auth-cli.test.mjs
//
// The petstore operations need pets:read to read, pets:write to add and change, pets:write +
// pets:admin to remove; the server's challenge asks for pets:read only.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { execFile, spawn } from 'node:child_process';
import { freePort, spawnServer, startUpstream } from './harness.mjs';
import { authorizeHeadless, startIdp } from './idp.mjs';

const bin = process.env.MCPWRIGHT_SERVER;
const cli = process.env.MCPWRIGHT_CLI;
const crate = process.env.MCPWRIGHT_CRATE;
if (!bin || !cli || !crate) throw new Error('set MCPWRIGHT_SERVER, MCPWRIGHT_CLI and MCPWRIGHT_CRATE');

const SCOPES = ['pets:read', 'pets:write', 'pets:admin'];
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/;
let upstream;
const stacks = [];

/** The petstore upstream: every read answers, a delete is accepted. */
function petstore({ method, url }) {
  const path = url.split('?')[0];
  if (method === 'GET' && path === '/v1/pets') return { json: [] };
  if (method === 'GET' && /^\/v1\/pets\/\d+$/.test(path)) return { json: { id: 1, name: 'pet 1' } };
  if (method === 'DELETE') return { status: 204 };
  return undefined;
}

/**
 * An IdP and a server accepting its tokens. `idp` options go to startIdp; with `hideMetadata`
 * the server sits behind a gateway that serves no protected-resource metadata and strips
 * `resource_metadata` from its challenges (the URL tested is the gateway's).
 */
async function stack({ idp: idpOptions = {}, hideMetadata = false } = {}) {
  const serverPort = await freePort();
  const gatewayPort = hideMetadata ? await freePort() : undefined;
  const url = `http://127.0.0.1:${gatewayPort ?? serverPort}/mcp`;
  const idp = await startIdp({ resource: url, scopes: SCOPES, ...idpOptions });
  const server = await spawnServer(
    bin,
    ['serve', '--transport', 'http', '--bind', `127.0.0.1:${serverPort}`, '--issuer', idp.issuer],
    {
      MCP_UPSTREAM_URL: `${upstream.url}/v1`,
      PETSTORE_AUTH_BEARER_TOKEN: 'upstream-token',
      ...(hideMetadata ? { MCP_RESOURCE_URL: url } : {}),
    },
  );
  const gateway = hideMetadata ? await startGateway(gatewayPort, serverPort) : undefined;
  const made = { url, idp, server, gateway };
  stacks.push(made);
  return made;
}

/** A reverse proxy to the server that hides its resource metadata. */
async function startGateway(port, serverPort) {
  const gateway = http.createServer((req, res) => {
    if (req.url.startsWith('/.well-known/oauth-protected-resource')) {
      res.writeHead(404).end();
      return;
    }
    const forward = http.request(
      { host: '127.0.0.1', port: serverPort, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const headers = { ...answer.headers };
        if (headers['www-authenticate']) {
          headers['www-authenticate'] = headers['www-authenticate'].replace(/,?\s*resource_metadata="[^"]*"/, '');
        }
        res.writeHead(answer.statusCode, headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  });
  await new Promise((resolve) => gateway.listen(port, '127.0.0.1', resolve));
  return gateway;
}

/** Runs `mcpwright auth test --headless …` (with `env` added); returns the exit code and stdout. */
function authTestWith(env, url, ...args) {
  return new Promise((resolve) => {
    const options = { timeout: 60_000, env: { ...process.env, ...env } };
    execFile(cli, ['auth', 'test', '--headless', ...args, url], options, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const authTest = (url, ...args) => authTestWith({}, url, ...args);

async function authTestJson(url, ...args) {
  return authTestJsonWith({}, url, ...args);
}

async function authTestJsonWith(env, url, ...args) {
  const run = await authTestWith(env, url, '--format', 'json', ...args);
  assert.doesNotMatch(run.stdout + run.stderr, JWT, 'a token reached the output');
  return { ...run, report: JSON.parse(run.stdout) };
}

/** The step `id` of a JSON report (the first, when it ran more than once). */
function step(report, id) {
  const found = report.steps.find((s) => s.step === id);
  assert.ok(found, `no step ${id} in ${JSON.stringify(report.steps, null, 2)}`);
  return found;
}

before(async () => {
  upstream = await startUpstream(petstore);
});

after(async () => {
  for (const { server, idp, gateway } of stacks) {
    await server.stop();
    await idp.close();
    gateway?.close();
  }
  await upstream?.close();
  const logs = stacks.map((s) => s.server.logs.join('')).join('');
  assert.doesNotMatch(logs, JWT, 'a token was logged');
});

describe('a set-up that is right', () => {
  let good;
  before(async () => {
    good = await stack();
  });

  test('passes end to end with dynamic registration, and the JSON keeps its shape', async () => {
    const { code, report } = await authTestJson(good.url, '--crate', crate);
    assert.equal(code, 0, JSON.stringify(report, null, 2));
    assert.deepEqual(Object.keys(report), ['url', 'passed', 'summary', 'steps']);
    assert.equal(report.url, good.url);
    assert.equal(report.passed, true);
    assert.equal(report.summary, `passed: all ${report.steps.length} steps`);
    assert.deepEqual(
      report.steps.map((s) => s.step),
      ['challenge', 'resource-metadata', 'authorization-server', 'client', 'authorization', 'token', 'tool-scopes', 'tools-list', 'tool-call'],
    );
    for (const s of report.steps) {
      assert.deepEqual(Object.keys(s), ['step', 'ok', 'saw']);
      assert.equal(typeof s.saw, 'string');
    }
    assert.match(step(report, 'challenge').saw, /^401 with a Bearer challenge: resource_metadata=http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp, scope="pets:read"$/);
    assert.match(step(report, 'authorization-server').saw, new RegExp(`^issuer ${good.idp.issuer} \\(RFC 8414 at .*\\), PKCE S256, dynamic registration at `));
    assert.match(step(report, 'client').saw, /^dynamic registration at .*: client id \S+$/);
    assert.match(step(report, 'authorization').saw, new RegExp(`resource=${good.url}, scope=pets:read`));
    assert.match(step(report, 'token').saw, new RegExp(`^JWT: iss ${good.idp.issuer}, aud ${good.url}, scope "pets:read", expires in \\d+ s$`));
    assert.match(step(report, 'tool-scopes').saw, /^the granted scopes allow 3 of 7 tools; not: createPet \(needs pets:write\), .*deletePet \(needs pets:write\+pets:admin\)/);
    assert.match(step(report, 'tools-list').saw, /^7 tools: /);
    assert.match(step(report, 'tool-call').saw, /^tools\/call listPets: the token was accepted and the tool answered$/);
  });

  test('steps up once for a tool that needs more, with a pre-registered client, as text', async () => {
    const { code, stdout } = await authTest(
      good.url, '--client-id', good.idp.clients.public.clientId, '--call', 'deletePet', '--args', '{"petId": 1}',
    );
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^✓ client: pre-registered client mcp-public$/m);
    assert.match(stdout, /^✓ step-up: tools\/call got 403 insufficient_scope asking scope="pets:write pets:admin": authorized again/m);
    assert.match(stdout, /^✓ tool-call: tools\/call deletePet: the token was accepted/m);
    assert.doesNotMatch(stdout, /^✗/m);
    assert.doesNotMatch(stdout, JWT);
  });

  test('--no-browser prints the URL and takes the redirect on its loopback port', async () => {
    // The person at the browser is played by following the IdP's redirects (with a cookie jar)
    // up to the printed redirect URI, which is then opened, as a browser would.
    const child = spawn(cli, ['auth', 'test', '--no-browser', '--timeout', '30', good.url]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    const printed = await new Promise((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        const url = stderr.match(/open this URL to authorize:\s+(\S+)/)?.[1];
        if (url) resolve(url);
      });
      child.on('exit', () => reject(new Error(`auth test exited before printing a URL:\n${stdout}\n${stderr}`)));
    });
    assert.match(new URL(printed).searchParams.get('redirect_uri'), /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const { url: callback } = await authorizeHeadless(printed);
    const landing = await fetch(callback);
    assert.equal(landing.status, 200);
    assert.match(await landing.text(), /authorization received/);
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    assert.match(stdout, /^✓ authorization: /m);
    assert.match(stdout, /^✓ tool-call: /m);
    assert.doesNotMatch(stdout + stderr, JWT);
  });

  test('passes with the client-credentials grant', async () => {
    const { service } = good.idp.clients;
    // The secret from MCPWRIGHT_CLIENT_SECRET, out of the process list (the conformance
    // client passes --client-secret).
    const { code, report } = await authTestJsonWith(
      { MCPWRIGHT_CLIENT_SECRET: service.clientSecret },
      good.url, '--client-credentials', '--client-id', service.clientId,
    );
    assert.equal(code, 0, JSON.stringify(report, null, 2));
    assert.equal(step(report, 'client').saw, `confidential client ${service.clientId}`);
    assert.match(step(report, 'authorization').saw, /^client_credentials grant, resource=/);
    assert.ok(!JSON.stringify(report).includes(service.clientSecret), 'the secret reached the output');
  });
});

describe('misconfigurations, each at its step with the fix', () => {
  test('an audience that is not the server’s URL', async () => {
    const wrong = await stack({ idp: { audience: 'https://api.example.com/other' } });
    const { code, report } = await authTestJson(wrong.url);
    assert.equal(code, 1);
    assert.equal(report.passed, false);
    const token = step(report, 'token');
    assert.equal(token.ok, false);
    assert.match(token.saw, new RegExp(`the token's audience is https://api.example.com/other, not this server's URL ${wrong.url}$`));
    assert.ok(token.fix.startsWith(`set the resource indicator / audience at your authorization server to ${wrong.url}`), token.fix);
    // The server agrees: it turns the token down.
    assert.equal(step(report, 'tools-list').ok, false);
  });

  test('a scope the authorization server never grants', async () => {
    const narrow = await stack({ idp: { scopes: ['pets:read'] } });
    const { code, report } = await authTestJson(narrow.url, '--crate', crate, '--call', 'createPet', '--args', '{"name": "Rex"}');
    assert.equal(code, 1);
    const scopes = step(report, 'tool-scopes');
    assert.equal(scopes.ok, false);
    assert.match(scopes.saw, /scopes_supported lacks pets:admin pets:write, so no token can call createPet, updatePet, deletePet, uploadPetPhoto$/);
    assert.match(scopes.fix, /^define pets:admin pets:write at the authorization server/);
    const call = report.steps.at(-1);
    assert.equal(call.step, 'tool-call');
    assert.equal(call.ok, false);
    assert.match(call.saw, /got 403 insufficient_scope \(scope="pets:write"\) again after the step-up/);
    assert.match(call.fix, /^the authorization server does not grant pets:write to this client/);
  });

  test('no PKCE at the authorization server', async () => {
    const noPkce = await stack({ idp: { discovery: (doc) => delete doc.code_challenge_methods_supported } });
    const { code, report } = await authTestJson(noPkce.url);
    assert.equal(code, 1);
    const server = report.steps.at(-1);
    assert.equal(server.step, 'authorization-server');
    assert.match(server.saw, /offers no PKCE S256 \(code_challenge_methods_supported: absent\)$/);
    assert.match(server.fix, /^enable PKCE with S256 at the authorization server/);
  });

  test('metadata whose issuer is not the one the server names', async () => {
    let other;
    const mismatch = await stack({
      idp: {
        discovery: (doc) => {
          other = `${doc.issuer}/other`;
          doc.issuer = other;
        },
      },
    });
    const { code, report } = await authTestJson(mismatch.url);
    assert.equal(code, 1);
    const server = report.steps.at(-1);
    assert.equal(server.step, 'authorization-server');
    assert.match(server.saw, new RegExp(`says issuer ${other}, not ${mismatch.idp.issuer}, the issuer it was looked up for$`));
    assert.match(server.fix, new RegExp(`^make the two the same string: set the authorization server's issuer to ${mismatch.idp.issuer}`));
  });

  test('a server without resource metadata', async () => {
    const hidden = await stack({ hideMetadata: true });
    const { code, report } = await authTestJson(hidden.url);
    assert.equal(code, 1);
    assert.match(step(report, 'challenge').saw, /no resource_metadata/);
    const metadata = report.steps.at(-1);
    assert.equal(metadata.step, 'resource-metadata');
    assert.match(metadata.saw, /^no protected-resource metadata \(.*oauth-protected-resource\/mcp: 404, .*oauth-protected-resource: 404\)$/);
    assert.match(metadata.fix, /^serve RFC 9728 metadata/);
  });
});
