// Proves every helper of idp.mjs against the real oidc-provider, in a few seconds:
//
//   node tests/e2e/idp-smoke.mjs
//
// One line per check, `idp smoke: ok` at the end; exits non-zero on the first failed assertion.
// Everything it starts is closed before it returns, so the process exits on its own.

import assert from 'node:assert/strict';
import http from 'node:http';
import * as jose from 'jose';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import {
  startIdp,
  authorizeHeadless,
  codeFlowToken,
  clientCredentialsToken,
  introspect,
  registerClient,
  accessTokenClaims,
  mintToken,
  unsignedToken,
  hs256WithPublicKey,
  foreignKeyToken,
  generateKeys,
  pkcePair,
  HeadlessOAuthProvider,
  DEFAULT_REDIRECT_URI,
  exchangeToken,
  TOKEN_EXCHANGE_GRANT,
  ACCESS_TOKEN_TYPE,
} from './idp.mjs';

const RESOURCE = 'http://127.0.0.1:1/mcp';
const OPAQUE = 'http://127.0.0.1:2/opaque';
const UPSTREAM = 'http://127.0.0.1:3/api';
const SCOPES = ['pets:read', 'pets:write'];

const cleanups = [];
const check = async (name, fn) => {
  await fn();
  console.log(`ok - ${name}`);
};
/** A token endpoint answer in full (clientCredentialsToken returns only the token). */
async function postToken(issuer, form, { clientId, clientSecret }) {
  const res = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    body: new URLSearchParams(form),
  });
  assert.equal(res.status, 200);
  return res.json();
}
const scopesOf = (token) => (jose.decodeJwt(token).scope ?? '').split(' ').filter(Boolean);

async function main() {
  const idp = await startIdp({
    resource: RESOURCE, scopes: SCOPES, opaqueResource: OPAQUE, upstreamResource: UPSTREAM,
  });
  cleanups.push(() => idp.close());
  const { issuer } = idp;
  assert.match(issuer, /^http:\/\/127\.0\.0\.1:\d+$/);

  await check('discovery document', async () => {
    const doc = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    assert.equal(doc.issuer, issuer);
    assert.equal(doc.jwks_uri, `${issuer}/jwks`);
    assert.ok(doc.introspection_endpoint);
    assert.ok(doc.registration_endpoint);
    assert.ok(doc.code_challenge_methods_supported.includes('S256'));
    assert.ok(doc.grant_types_supported.includes(TOKEN_EXCHANGE_GRANT));
  });

  await check('client_credentials token is a JWT for the resource', async () => {
    const token = await clientCredentialsToken({
      issuer, ...idp.clients.service, scope: 'pets:read', resource: RESOURCE,
    });
    const header = jose.decodeProtectedHeader(token);
    assert.equal(header.alg, 'RS256');
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.kid, 'k1');
    const claims = jose.decodeJwt(token);
    assert.equal(claims.aud, RESOURCE);
    assert.equal(claims.iss, issuer);
    assert.deepEqual(scopesOf(token), ['pets:read']);
  });

  let registered;
  await check('dynamic client registration (POST /reg)', async () => {
    registered = await registerClient(issuer, {
      redirect_uris: [DEFAULT_REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    });
    assert.ok(registered.client_id);
    assert.equal(registered.token_endpoint_auth_method, 'none');
  });

  for (const [who, clientId] of [
    ['pre-registered public client', idp.clients.public.clientId],
    ['freshly registered client', () => registered.client_id],
  ]) {
    await check(`auth code + PKCE S256, headless, ${who}`, async () => {
      const body = await codeFlowToken({
        issuer,
        clientId: typeof clientId === 'function' ? clientId() : clientId,
        scope: 'pets:read pets:write',
        resource: RESOURCE,
      });
      const claims = jose.decodeJwt(body.access_token);
      assert.equal(claims.aud, RESOURCE);
      assert.equal(claims.iss, issuer);
      assert.equal(claims.sub, 'user-1');
      assert.deepEqual(scopesOf(body.access_token).sort(), ['pets:read', 'pets:write']);
      assert.ok(body.refresh_token, 'a refresh token for clients allowed the grant');
    });
  }

  await check('any loopback port is accepted for the native client redirect URI', async () => {
    const { challenge } = pkcePair();
    const url = new URL('/auth', issuer);
    for (const [k, v] of Object.entries({
      client_id: idp.clients.public.clientId, response_type: 'code', scope: 'pets:read',
      redirect_uri: 'http://127.0.0.1:49152/callback', code_challenge: challenge,
      code_challenge_method: 'S256', resource: RESOURCE,
    })) url.searchParams.set(k, v);
    const { code, params } = await authorizeHeadless(url);
    assert.ok(code);
    assert.equal(params.iss, issuer);
  });

  await check('requesting only pets:read yields a token without pets:write', async () => {
    const body = await codeFlowToken({
      issuer, clientId: idp.clients.public.clientId, scope: 'pets:read', resource: RESOURCE,
    });
    assert.deepEqual(scopesOf(body.access_token), ['pets:read']);
  });

  await check('PKCE is required (no code_challenge is refused)', async () => {
    const url = new URL('/auth', issuer);
    for (const [k, v] of Object.entries({
      client_id: idp.clients.public.clientId, response_type: 'code', scope: 'pets:read',
      redirect_uri: DEFAULT_REDIRECT_URI,
    })) url.searchParams.set(k, v);
    await assert.rejects(authorizeHeadless(url), /invalid_request/);
  });

  await check('opaque token introspects active; garbage inactive', async () => {
    const token = await clientCredentialsToken({
      issuer, ...idp.clients.service, scope: 'pets:read', resource: OPAQUE,
    });
    assert.throws(() => jose.decodeJwt(token), 'an opaque token is not a JWT');
    const active = await introspect({ issuer, ...idp.clients.introspector, token });
    assert.equal(active.active, true);
    assert.equal(active.aud, OPAQUE);
    assert.equal(active.scope, 'pets:read');
    assert.equal(active.client_id, idp.clients.service.clientId);
    const garbage = await introspect({ issuer, ...idp.clients.introspector, token: 'not-a-token' });
    assert.deepEqual(garbage, { active: false });
  });

  const jwks = jose.createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const verify = (token) => jose.jwtVerify(token, jwks, { issuer, audience: RESOURCE, algorithms: ['RS256'] });
  await check('mintToken verifies against the JWKS; hostile tokens do not', async () => {
    const claims = accessTokenClaims(idp);
    const { payload, protectedHeader } = await verify(await mintToken(idp.keys, claims));
    assert.equal(payload.jti, claims.jti);
    assert.equal(protectedHeader.typ, 'at+jwt');
    await assert.rejects(verify(await mintToken(idp.keys, accessTokenClaims(idp, { exp: 1000 }))), /exp/);
    await assert.rejects(verify(await mintToken(idp.keys, accessTokenClaims(idp, { aud: 'http://127.0.0.1:9/x' }))), /aud/);
    await assert.rejects(verify(unsignedToken(claims)));
    await assert.rejects(verify(await hs256WithPublicKey(idp.keys, claims)));
    await assert.rejects(verify(await hs256WithPublicKey(idp.keys, claims, { material: 'n' })));
    await assert.rejects(verify(await foreignKeyToken(claims)), /no applicable key/i);
    await assert.rejects(verify(await foreignKeyToken(claims, { kid: 'k1' })), /signature/);
  });

  // A rejection as the server under test sees it: `${status} ${error}`, and the description
  // (to be sure each case fails for its own reason).
  const exchangeError = async (params) => {
    try {
      await exchangeToken({ issuer, ...idp.clients.exchanger, resource: UPSTREAM, ...params });
    } catch (err) {
      if (!err.body) throw err;
      return { code: `${err.status} ${err.body.error}`, description: err.body.error_description };
    }
    return { code: 'succeeded' };
  };
  const assertExchangeFails = async (params, code, description, why = JSON.stringify(params)) => {
    const got = await exchangeError(params);
    assert.equal(got.code, code, why);
    assert.match(got.description, description, why);
  };
  const verifyUpstream = (token) =>
    jose.jwtVerify(token, jwks, { issuer, audience: UPSTREAM, typ: 'at+jwt', algorithms: ['RS256'] });
  const before = { ...idp.counters };

  await check('token exchange: a client_credentials token becomes a JWT for the upstream', async () => {
    const subject = await clientCredentialsToken({
      issuer, ...idp.clients.service, scope: 'pets:read pets:write', resource: RESOURCE,
    });
    const body = await exchangeToken({
      issuer, ...idp.clients.exchanger, subjectToken: subject, resource: UPSTREAM, scope: 'pets:read',
    });
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'issued_token_type', 'scope', 'token_type']);
    assert.equal(body.issued_token_type, ACCESS_TOKEN_TYPE);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 600);
    assert.equal(body.scope, 'pets:read');
    const { payload, protectedHeader } = await verifyUpstream(body.access_token);
    assert.equal(protectedHeader.kid, idp.keys.keys[0].kid);
    assert.equal(payload.aud, UPSTREAM);
    assert.equal(payload.iss, issuer);
    assert.equal(payload.sub, jose.decodeJwt(subject).sub);
    assert.equal(payload.sub, idp.clients.service.clientId); // a client_credentials token's sub
    assert.equal(payload.scope, 'pets:read');
    assert.equal(payload.client_id, idp.clients.exchanger.clientId);
    assert.deepEqual(payload.act, { sub: idp.clients.exchanger.clientId });
    assert.equal(payload.exp - payload.iat, 600);
  });

  await check('token exchange: a user token keeps its sub; audience works like resource', async () => {
    const user = await codeFlowToken({
      issuer, clientId: idp.clients.public.clientId, scope: 'pets:read pets:write', resource: RESOURCE,
    });
    const viaAudience = await exchangeToken({
      issuer, ...idp.clients.exchanger, subjectToken: user.access_token, audience: UPSTREAM, scope: 'pets:write',
    });
    const { payload } = await verifyUpstream(viaAudience.access_token);
    assert.equal(payload.sub, 'user-1');
    assert.equal(payload.scope, 'pets:write');
    // resource and audience naming the same target; no scope: the subject's scopes.
    const both = await exchangeToken({
      issuer, ...idp.clients.exchanger, subjectToken: user.access_token, resource: UPSTREAM,
      audience: UPSTREAM, requestedTokenType: ACCESS_TOKEN_TYPE,
    });
    assert.deepEqual(scopesOf(both.access_token).sort(), SCOPES);
    // A nested delegation: the subject's own act ends up inside the new one.
    const delegated = await mintToken(idp.keys, accessTokenClaims(idp, { act: { sub: 'earlier-actor' } }));
    const chained = await exchangeToken({
      issuer, ...idp.clients.exchanger, subjectToken: delegated, resource: UPSTREAM, scope: 'pets:read',
    });
    assert.deepEqual(jose.decodeJwt(chained.access_token).act, {
      sub: idp.clients.exchanger.clientId, act: { sub: 'earlier-actor' },
    });
  });

  await check('token exchange: bad subject tokens are invalid_grant', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = accessTokenClaims(idp);
    const upstreamToken = (await exchangeToken({
      issuer, ...idp.clients.exchanger, subjectToken: await mintToken(idp.keys, claims), resource: UPSTREAM,
    })).access_token;
    for (const [why, subjectToken, description] of [
      ['garbage', 'not-a-token', /Invalid Compact JWS/],
      ['expired', await mintToken(idp.keys, accessTokenClaims(idp, { iat: now - 120, exp: now - 60 })), /"exp"/],
      ['foreign key', await foreignKeyToken(claims), /no applicable key/],
      ['foreign key, IdP kid', await foreignKeyToken(claims, { kid: idp.keys.keys[0].kid }), /signature/],
      ['alg none', unsignedToken(claims), /"alg"/],
      ['HS256 with the public key', await hs256WithPublicKey(idp.keys, claims), /"alg"/],
      ['other issuer', await mintToken(idp.keys, accessTokenClaims(idp, { iss: 'http://127.0.0.1:9' })), /"iss"/],
      ['not for the MCP resource', await mintToken(idp.keys, accessTokenClaims(idp, { aud: OPAQUE })), /"aud"/],
      ['an exchanged (upstream) token', upstreamToken, /"aud"/],
      ['typ JWT, not at+jwt', await mintToken(idp.keys, claims, { typ: 'JWT' }), /"typ"/],
      ['no sub', await mintToken(idp.keys, accessTokenClaims(idp, { sub: undefined })), /"sub"/],
    ]) {
      await assertExchangeFails({ subjectToken }, '400 invalid_grant', description, why);
    }
  });

  await check('token exchange: malformed requests, targets, scopes, clients', async () => {
    const subjectToken = await mintToken(idp.keys, accessTokenClaims(idp));
    const cases = [
      [{ subjectToken: undefined }, '400 invalid_request', /'subject_token'/],
      [{ subjectToken, subjectTokenType: null }, '400 invalid_request', /'subject_token_type'/],
      [{ subjectToken, subjectTokenType: 'urn:ietf:params:oauth:token-type:id_token' }, '400 invalid_request', /subject_token_type/],
      [{ subjectToken, requestedTokenType: 'urn:ietf:params:oauth:token-type:refresh_token' }, '400 invalid_request', /requested_token_type/],
      [{ subjectToken, resource: undefined }, '400 invalid_request', /resource or audience/],
      [{ subjectToken, resource: 'http://127.0.0.1:9/unknown' }, '400 invalid_target', /unknown/],
      [{ subjectToken, resource: [UPSTREAM, RESOURCE] }, '400 invalid_target', /only one target/],
      [{ subjectToken, audience: RESOURCE }, '400 invalid_target', /only one target/], // + resource = UPSTREAM
      [{ subjectToken, scope: 'pets:read pets:admin' }, '400 invalid_scope', /scope not available/],
      [{ subjectToken, ...idp.clients.exchanger, clientSecret: 'wrong' }, '401 invalid_client', /client authentication failed/],
      // oidc-provider's own answer for a grant type missing from the client's grant_types
      // (not RFC 6749's unauthorized_client).
      [{ subjectToken, ...idp.clients.service }, '400 invalid_request', /^requested grant type is not allowed for this client$/],
    ];
    for (const [params, code, description] of cases) await assertExchangeFails(params, code, description);
  });

  await check('token exchange: counters', async () => {
    assert.equal(idp.counters.tokenExchange - before.tokenExchange, 5);
    assert.equal(idp.counters.tokenExchangeRejected - before.tokenExchangeRejected, 11 + 11);
    assert.equal(idp.counters.clientCredentials - before.clientCredentials, 1);
    await clientCredentialsToken({ issuer, ...idp.clients.exchanger, scope: 'pets:read', resource: RESOURCE });
    assert.equal(idp.counters.clientCredentials - before.clientCredentials, 2);
    // idp.errors is per provider instance: check it before rotate() replaces it.
    assert.ok(idp.errors.every((e) => e.event !== 'server_error'), JSON.stringify(idp.errors));
  });

  await check('accessTokenTtl shortens client_credentials and exchanged tokens only', async () => {
    const short = await startIdp({ resource: RESOURCE, scopes: SCOPES, upstreamResource: UPSTREAM, accessTokenTtl: 3 });
    cleanups.push(() => short.close());
    const cc = await postToken(short.issuer, { grant_type: 'client_credentials', scope: 'pets:read', resource: RESOURCE }, short.clients.service);
    assert.equal(cc.expires_in, 3);
    const ccClaims = jose.decodeJwt(cc.access_token);
    assert.equal(ccClaims.exp - ccClaims.iat, 3);
    const exchanged = await exchangeToken({
      issuer: short.issuer, ...short.clients.exchanger, subjectToken: cc.access_token, resource: UPSTREAM,
    });
    assert.equal(exchanged.expires_in, 3);
    const exClaims = jose.decodeJwt(exchanged.access_token);
    assert.equal(exClaims.exp - exClaims.iat, 3);
    const user = await codeFlowToken({
      issuer: short.issuer, clientId: short.clients.public.clientId, scope: 'pets:read', resource: RESOURCE,
    });
    assert.equal(user.expires_in, 600, 'the MCP client\'s own token keeps the default');
    assert.deepEqual(short.counters, { tokenExchange: 1, tokenExchangeRejected: 0, clientCredentials: 1 });
    assert.deepEqual(short.errors, []);
  });

  await check('key rotation: same issuer, new kid served and used', async () => {
    const oldKid = idp.keys.keys[0].kid;
    const oldSigningKey = idp.keys.keys[0];
    const counters = idp.counters;
    const exchanged = idp.counters.tokenExchange;
    await idp.rotate();
    assert.equal(idp.counters, counters, 'counters survive a restart');
    assert.equal(idp.counters.tokenExchange, exchanged);
    const newKid = idp.keys.keys[0].kid;
    assert.notEqual(newKid, oldKid);
    assert.equal(idp.issuer, issuer);
    const doc = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    assert.equal(doc.issuer, issuer);
    const served = await (await fetch(`${issuer}/jwks`)).json();
    assert.deepEqual(served.keys.map((k) => k.kid), [newKid]);
    assert.ok(served.keys.every((k) => !k.d), 'only public keys are published');
    const token = await clientCredentialsToken({
      issuer, ...idp.clients.service, scope: 'pets:read', resource: RESOURCE,
    });
    assert.equal(jose.decodeProtectedHeader(token).kid, newKid);
    const upstream = await exchangeToken({
      issuer, ...idp.clients.exchanger, subjectToken: token, resource: UPSTREAM, scope: 'pets:read',
    });
    assert.equal(jose.decodeProtectedHeader(upstream.access_token).kid, newKid);
    assert.equal(idp.counters.tokenExchange, exchanged + 1);
    // A subject token signed with the retired key (no longer published) is refused.
    await assert.rejects(
      exchangeToken({
        issuer, ...idp.clients.exchanger, resource: UPSTREAM,
        subjectToken: await mintToken({ keys: [{ ...oldSigningKey, kid: oldKid }] }, accessTokenClaims(idp)),
      }),
      (err) => err.body?.error === 'invalid_grant',
    );
    // Graceful rotation: old and new published together, the first one signs.
    const newest = await generateKeys('k3');
    await idp.rotate({ keys: [...newest.keys, ...idp.keys.keys] });
    const both = await (await fetch(`${issuer}/jwks`)).json();
    assert.deepEqual(both.keys.map((k) => k.kid), ['k3', newKid]);
    // A fresh JWKS cache: jose's remote set refetches an unknown kid only after a 30 s cooldown.
    const rotated = jose.createRemoteJWKSet(new URL(`${issuer}/jwks`));
    for (const kid of ['k3', newKid]) {
      await jose.jwtVerify(await mintToken(idp.keys, accessTokenClaims(idp), { kid }), rotated, { issuer });
    }
  });

  await check('HeadlessOAuthProvider drives the MCP SDK auth flow', async () => {
    // The SDK needs a protected resource (RFC 9728 metadata) whose URL matches the IdP's
    // resource, so this check gets its own pair on fresh ports.
    const prm = http.createServer((req, res) => {
      res.writeHead(req.url === '/.well-known/oauth-protected-resource/mcp' ? 200 : 404, {
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ resource: mcpUrl, authorization_servers: [mcpIdp.issuer], scopes_supported: SCOPES }));
    });
    await new Promise((resolve) => prm.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => { prm.close(resolve); prm.closeAllConnections(); }));
    const mcpUrl = `http://127.0.0.1:${prm.address().port}/mcp`;
    const mcpIdp = await startIdp({ resource: mcpUrl, scopes: SCOPES });
    cleanups.push(() => mcpIdp.close());

    for (const [provider, sub] of [
      [new HeadlessOAuthProvider(), 'user-1'], // dynamic registration
      [new HeadlessOAuthProvider({ clientInformation: { client_id: mcpIdp.clients.public.clientId } }), 'user-1'],
      [new HeadlessOAuthProvider({ account: 'carol' }), 'carol'], // ACCOUNT_HEADER at the login
    ]) {
      assert.equal(await auth(provider, { serverUrl: mcpUrl }), 'REDIRECT');
      assert.equal(provider.authorizationUrl.searchParams.get('resource'), mcpUrl);
      assert.equal(provider.authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(provider.authorizationCode);
      assert.equal(
        await auth(provider, { serverUrl: mcpUrl, authorizationCode: provider.authorizationCode }),
        'AUTHORIZED',
      );
      const claims = jose.decodeJwt(provider.tokens().access_token);
      assert.equal(claims.aud, mcpUrl);
      assert.equal(claims.iss, mcpIdp.issuer);
      assert.equal(claims.client_id, provider.clientInformation().client_id);
      assert.equal(claims.sub, sub);
      assert.deepEqual(claims.scope.split(' ').sort(), SCOPES);
      // And a refresh through the same provider.
      const before = provider.tokens().access_token;
      provider.invalidateCredentials('verifier');
      assert.equal(await auth(provider, { serverUrl: mcpUrl }), 'AUTHORIZED');
      assert.notEqual(provider.tokens().access_token, before);
    }
  });

  await check('provider recorded only the expected client errors', async () => {
    assert.ok(idp.errors.every((e) => e.event !== 'server_error'), JSON.stringify(idp.errors));
  });
}

try {
  await main();
  console.log('idp smoke: ok');
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
