// Proves the per-user consent fixtures (issue 13) before any generated server implements the
// flow: idp.mjs's accounts and a connect client at the inbound IdP, thirdparty.mjs, browser.mjs.
// A tiny Node server on 127.0.0.1 plays the generated server's part: `/connect/x?state=…` →
// inbound login (the browser's user must be the MCP user) → `/connect/x/callback` → third-party
// consent → `/connect/x/callback` (code exchanged, tokens kept per user); `DELETE /connect/x`
// with the user's MCP bearer token revokes at the third party. No MCP server, no Rust:
//
//   node tests/e2e/consent-idp.selftest.mjs
//
// One line per check, `consent fixtures: ok` at the end; exits non-zero on the first failed
// assertion. Everything it starts is closed before it returns, so the process exits on its own.

import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import * as jose from 'jose';
import { startIdp, codeFlowToken, pkcePair } from './idp.mjs';
import { startThirdParty } from './thirdparty.mjs';
import { Browser } from './browser.mjs';

/** The generated server's connect client at the inbound IdP, and its client at the third party. */
const CONNECT = { clientId: 'mcp-connect', clientSecret: 'connect-secret' };
const THIRD = { clientId: 'mcp-server', clientSecret: 'third-party-secret' };
const TP_SCOPES = ['repo', 'read:user'];
const TTL = 2; // seconds: the third party's access tokens, to reach a refresh quickly

const cleanups = [];
const check = async (name, fn) => {
  await fn();
  console.log(`ok - ${name}`);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A form POST with client_secret_basic; `{ status, body }` (body undefined when empty). */
async function postForm(url, form, { clientId, clientSecret }) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    body: new URLSearchParams(form),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function withQuery(url, query) {
  const out = new URL(url);
  for (const [k, v] of Object.entries(query)) out.searchParams.set(k, v);
  return out.href;
}

/**
 * The generated server's part, as issue 13 describes it, in a few lines. `links` maps the
 * elicitation's `state` to the MCP user (the real server signs it instead); `tokens` keeps the
 * third party's token answer per user; `idTokens` the verified inbound id_token claims with the
 * nonce that was sent, for the assertions.
 */
async function startConnector() {
  const links = new Map();
  const pending = new Map(); // OAuth `state` → { stage: 'login' | 'consent', user, verifier, nonce? }
  const tokens = new Map();
  const idTokens = [];
  let idp;
  let tp;
  let jwks;

  const server = http.createServer(async (req, res) => {
    const page = (status, message) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>${message}</title><p>${message}</p>`);
    };
    const redirect = (location) => {
      res.writeHead(302, { location });
      res.end();
    };
    try {
      const url = new URL(req.url, connector.base);
      const params = Object.fromEntries(url.searchParams);
      if (req.method === 'GET' && url.pathname === '/connect/x') {
        const user = links.get(params.state);
        if (!user) return page(400, 'Unknown or expired link');
        const { verifier, challenge } = pkcePair();
        const state = crypto.randomUUID();
        const nonce = crypto.randomUUID();
        pending.set(state, { stage: 'login', user, verifier, nonce });
        return redirect(withQuery(`${idp.issuer}/auth`, {
          client_id: CONNECT.clientId, response_type: 'code', scope: 'openid',
          redirect_uri: connector.callback, code_challenge: challenge, code_challenge_method: 'S256',
          state, nonce,
        }));
      }
      if (req.method === 'GET' && url.pathname === '/connect/x/callback') {
        const flow = pending.get(params.state);
        pending.delete(params.state);
        if (!flow) return page(400, 'Unknown or used state');
        if (params.error) return page(400, `Refused: ${params.error}`);
        // RFC 9207: the same callback serves both servers; `iss` says which one answered.
        const from = flow.stage === 'login' ? idp : tp;
        if (params.iss !== from.issuer) return page(400, 'Answer from the wrong issuer');
        const form = {
          grant_type: 'authorization_code', code: params.code, code_verifier: flow.verifier,
          redirect_uri: connector.callback,
        };
        if (flow.stage === 'login') {
          const answer = await postForm(`${idp.issuer}/token`, form, CONNECT);
          if (answer.status !== 200) return page(502, 'Sign-in failed');
          const { payload } = await jose.jwtVerify(answer.body.id_token, jwks, {
            issuer: idp.issuer, audience: CONNECT.clientId,
          });
          idTokens.push({ claims: payload, nonce: flow.nonce });
          if (payload.nonce !== flow.nonce) return page(400, 'Nonce mismatch');
          if (payload.sub !== flow.user) return page(403, 'Signed in as another user');
          const { verifier, challenge } = pkcePair();
          const state = crypto.randomUUID();
          pending.set(state, { stage: 'consent', user: flow.user, verifier });
          return redirect(withQuery(tp.endpoints.authorization, {
            client_id: THIRD.clientId, response_type: 'code', scope: TP_SCOPES.join(' '),
            redirect_uri: connector.callback, code_challenge: challenge, code_challenge_method: 'S256',
            state,
          }));
        }
        const answer = await postForm(tp.endpoints.token, form, THIRD);
        if (answer.status !== 200) return page(502, 'Connecting failed');
        tokens.set(flow.user, answer.body);
        return page(200, 'Your account is connected');
      }
      if (req.method === 'DELETE' && url.pathname === '/connect/x') {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        let sub;
        try {
          ({ payload: { sub } } = await jose.jwtVerify(bearer ?? '', jwks, {
            issuer: idp.issuer, audience: connector.resource,
          }));
        } catch {
          return page(401, 'A valid MCP bearer token is required');
        }
        const stored = tokens.get(sub);
        tokens.delete(sub);
        if (stored) {
          await postForm(tp.endpoints.revocation, {
            token: stored.refresh_token, token_type_hint: 'refresh_token',
          }, THIRD);
        }
        res.writeHead(204);
        return res.end();
      }
      return page(404, 'Not found');
    } catch (err) {
      return page(500, String(err));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const connector = {
    base,
    resource: `${base}/mcp`,
    callback: `${base}/connect/x/callback`,
    tokens,
    idTokens,
    /** Both providers, once they run (their clients need `callback` first). */
    attach(inbound, thirdParty) {
      [idp, tp] = [inbound, thirdParty];
      jwks = jose.createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    },
    /** The URL an elicitation would show MCP user `user`. */
    link(user) {
      const state = crypto.randomUUID();
      links.set(state, user);
      return `${base}/connect/x?state=${state}`;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
  return connector;
}

async function main() {
  const connector = await startConnector();
  cleanups.push(() => connector.close());
  const idp = await startIdp({
    resource: connector.resource,
    scopes: ['pets:read'],
    extraClients: [{
      client_id: CONNECT.clientId,
      client_secret: CONNECT.clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [connector.callback],
    }],
  });
  cleanups.push(() => idp.close());
  const tp = await startThirdParty({
    ...THIRD, redirectUris: [connector.callback], scopes: TP_SCOPES, accessTokenTtl: TTL,
  });
  cleanups.push(() => tp.close());
  connector.attach(idp, tp);
  const refresh = (token) => postForm(tp.endpoints.token, { grant_type: 'refresh_token', refresh_token: token }, THIRD);
  const onTp = (hops, path = '') => hops.filter((u) => u.startsWith(`${tp.issuer}${path}`));
  const onIdp = (hops, path = '') => hops.filter((u) => u.startsWith(`${idp.issuer}${path}`));

  await check('the third party: its own issuer, discovery with revocation and PKCE', async () => {
    assert.notEqual(tp.issuer, idp.issuer);
    for (const name of ['openid-configuration', 'oauth-authorization-server']) {
      const doc = await (await fetch(`${tp.issuer}/.well-known/${name}`)).json();
      assert.equal(doc.issuer, tp.issuer);
      assert.equal(doc.authorization_endpoint, tp.endpoints.authorization);
      assert.equal(doc.token_endpoint, tp.endpoints.token);
      assert.equal(doc.revocation_endpoint, tp.endpoints.revocation);
      assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
      for (const scope of TP_SCOPES) assert.ok(doc.scopes_supported.includes(scope), scope);
    }
  });

  await check('the third party refuses an authorization request without PKCE', async () => {
    const answer = await new Browser().request(withQuery(tp.endpoints.authorization, {
      client_id: THIRD.clientId, response_type: 'code', scope: 'repo', redirect_uri: connector.callback,
      state: 's',
    }));
    assert.equal(answer.status, 303);
    const location = new URL(answer.headers.get('location'));
    assert.equal(location.href.split('?')[0], connector.callback);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
  });

  const mcpTokens = {};
  await check('MCP access tokens of two users differ in sub (account option)', async () => {
    for (const account of ['alice', 'bob']) {
      const body = await codeFlowToken({
        issuer: idp.issuer, clientId: idp.clients.public.clientId, scope: 'pets:read',
        resource: connector.resource, account,
      });
      mcpTokens[account] = body.access_token;
      assert.equal(jose.decodeJwt(body.access_token).sub, account);
    }
  });

  const alice = new Browser({ account: 'alice' });
  const bob = new Browser({ account: 'bob' });
  await check('alice connects: inbound login (id_token sub, nonce), then third-party consent', async () => {
    const page = await alice.open(connector.link('alice'));
    assert.equal(page.status, 200, page.body);
    assert.match(page.body, /connected/);
    assert.equal(page.url, page.hops.at(-1));
    assert.equal(page.hops[1].split('?')[0], `${idp.issuer}/auth`);
    assert.ok(page.hops.indexOf(onTp(page.hops)[0]) > page.hops.indexOf(onIdp(page.hops).at(-1)));
    assert.equal(onIdp(page.hops, '/interaction/').length, 2, 'login, then consent');
    assert.equal(onTp(page.hops, '/interaction/').length, 2, 'login, then consent');
    const { claims, nonce } = connector.idTokens.at(-1);
    assert.equal(claims.sub, 'alice');
    assert.equal(claims.aud, CONNECT.clientId);
    assert.equal(claims.nonce, nonce);
    const tokens = connector.tokens.get('alice');
    assert.ok(tokens.refresh_token, 'a refresh token without offline_access');
    assert.equal(tokens.expires_in, TTL);
    assert.deepEqual(tokens.scope.split(' ').sort(), [...TP_SCOPES].sort());
    assert.equal(tp.whoseToken(tokens.access_token), 'alice');
    assert.equal(await tp.whoseToken('not-a-token'), null);
    assert.equal(tp.counters.authorizationCode, 1);
  });

  await check('bob connects and gets his own third-party token', async () => {
    const page = await bob.open(connector.link('bob'));
    assert.equal(page.status, 200, page.body);
    assert.equal(connector.idTokens.at(-1).claims.sub, 'bob');
    const tokens = connector.tokens.get('bob');
    assert.equal(tp.whoseToken(tokens.access_token), 'bob');
    assert.notEqual(tokens.access_token, connector.tokens.get('alice').access_token);
    assert.equal(tp.counters.authorizationCode, 2);
  });

  await check("bob's browser on alice's link never reaches the third party", async () => {
    const page = await bob.open(connector.link('alice'));
    assert.equal(page.status, 403);
    assert.equal(connector.idTokens.at(-1).claims.sub, 'bob');
    assert.deepEqual(onTp(page.hops), []);
    assert.deepEqual(onIdp(page.hops, '/interaction/'), [], "bob's inbound session is reused");
    assert.equal(tp.counters.authorizationCode, 2);
  });

  await check('a second connect reuses both sessions (cookies): no login or consent hop', async () => {
    const page = await alice.open(connector.link('alice'));
    assert.equal(page.status, 200, page.body);
    assert.deepEqual(page.hops.filter((u) => u.includes('/interaction/')), []);
    assert.equal(tp.whoseToken(connector.tokens.get('alice').access_token), 'alice');
  });

  await check('after accessTokenTtl the access token is dead; refresh renews it, rotated', async () => {
    await sleep(TTL * 1000 + 100);
    const old = connector.tokens.get('alice');
    assert.equal(tp.whoseToken(old.access_token), null);
    const answer = await refresh(old.refresh_token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(tp.whoseToken(answer.body.access_token), 'alice');
    assert.ok(answer.body.refresh_token);
    assert.notEqual(answer.body.refresh_token, old.refresh_token);
    assert.equal(tp.counters.refresh, 1);
    connector.tokens.set('alice', answer.body);
  });

  await check("revokeAll('alice'): her refresh is invalid_grant, bob's still works", async () => {
    const before = connector.tokens.get('alice');
    await tp.revokeAll('alice');
    assert.equal(tp.whoseToken(before.access_token), null);
    const refused = await refresh(before.refresh_token);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
    const renewed = await refresh(connector.tokens.get('bob').refresh_token);
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    assert.equal(tp.whoseToken(renewed.body.access_token), 'bob');
    connector.tokens.set('bob', renewed.body);
  });

  await check('after revokeAll alice consents again (still signed in there) and is connected', async () => {
    const page = await alice.open(connector.link('alice'));
    assert.equal(page.status, 200, page.body);
    assert.equal(onTp(page.hops, '/interaction/').length, 1, 'consent only');
    assert.deepEqual(onIdp(page.hops, '/interaction/'), []);
    assert.equal(tp.whoseToken(connector.tokens.get('alice').access_token), 'alice');
  });

  await check('reusing a spent refresh token revokes the grant (keep the newest one)', async () => {
    const spent = connector.tokens.get('alice').refresh_token;
    const first = await refresh(spent);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal((await refresh(spent)).body.error, 'invalid_grant');
    assert.equal((await refresh(first.body.refresh_token)).body.error, 'invalid_grant');
    assert.equal(tp.whoseToken(first.body.access_token), null);
  });

  await check('DELETE /connect/x with the MCP bearer revokes at the third party (RFC 7009)', async () => {
    const url = `${connector.base}/connect/x`;
    assert.equal((await bob.request(url, { method: 'DELETE' })).status, 401);
    const stored = connector.tokens.get('bob');
    const answer = await bob.request(url, {
      method: 'DELETE', headers: { authorization: `Bearer ${mcpTokens.bob}` },
    });
    assert.equal(answer.status, 204);
    assert.equal(tp.counters.revocation, 1);
    assert.equal(connector.tokens.has('bob'), false);
    assert.equal(tp.whoseToken(stored.access_token), null, 'the whole grant is revoked');
    assert.equal((await refresh(stored.refresh_token)).body.error, 'invalid_grant');
  });

  await check('no provider recorded a server error', async () => {
    for (const errors of [idp.errors, tp.errors]) {
      assert.ok(errors.every((e) => e.event !== 'server_error'), JSON.stringify(errors));
    }
  });
}

try {
  await main();
  console.log('consent fixtures: ok');
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
