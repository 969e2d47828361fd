// A third-party API's own OAuth 2.0 authorization server (npm `oidc-provider` 9.13.3, like
// idp.mjs) on 127.0.0.1, for end-to-end tests of per-user consent: the generated MCP server is
// an OAuth client of this server, holding one token per MCP user, obtained through the browser
// (browser.mjs) and refreshed by itself. Modelled on GitHub-like APIs: plain OAuth (no `openid`
// needed), opaque access tokens with the API's own scopes, a refresh token for every code grant
// without `offline_access`, short-lived access tokens, RFC 7009 revocation.
//
//   const tp = await startThirdParty({ clientId: 'mcp-server', clientSecret: 's3cret',
//     redirectUris: [`${publicUrl}/connect/github/callback`], scopes: ['repo', 'read:user'],
//     accessTokenTtl: 2 });
//   // OpenAPI: authorizationUrl tp.endpoints.authorization, tokenUrl tp.endpoints.token
//   tp.whoseToken(bearer);          // 'alice' (in a recording upstream's handler) or null
//   await tp.revokeAll('alice');    // the server's next refresh gets invalid_grant
//   tp.counters.refresh;            // refresh grants answered with tokens
//   await tp.close();
//
// Who signs in is what the browser says in idp.mjs's ACCOUNT_HEADER (the same headless
// interactions as the inbound IdP), so one Browser({ account: 'alice' }) is alice at both.

import http from 'node:http';
import {
  Provider, oidcErrors, memoryAdapter, headlessInteractions, routeEvents, freePort, generateKeys,
} from './idp.mjs';

/**
 * Starts the server. Options:
 * - `clientId`, `clientSecret`, `redirectUris` (required): the one registered client, the MCP
 *   server: confidential (client_secret_basic only), grant types authorization_code and
 *   refresh_token, response type code; PKCE S256 is required of it,
 * - `scopes`: the API's scopes (default ['repo', 'read:user']); a request names any subset,
 * - `accessTokenTtl`: access token lifetime in seconds (default 600; e.g. 2 to test refresh),
 * - `port` (0 = pick a free one), `log`: print every provider error event.
 *
 * Access tokens are opaque, for the API `resource` (`${issuer}/api`, the resource indicator
 * every request gets by default), with the scopes asked for. Every code grant also gets a
 * refresh token (1 h), rotated on each refresh: the old one is spent, and reusing a spent one
 * revokes the grant (oidc-provider's reuse detection), so a client must keep the newest.
 * Revoking a refresh token or an access token at `endpoints.revocation` revokes the whole grant.
 *
 * Returns `{ issuer, port, resource, scopes, clientId, clientSecret, endpoints, counters,
 * errors, provider, whoseToken(token), revokeAll(accountId), close() }`:
 * - `endpoints`: `{ authorization, token, revocation }` URLs (also in the discovery document at
 *   both well-known names, with `revocation_endpoint`),
 * - `counters`: tokens issued by the `authorizationCode` and `refresh` grants, and `revocation`
 *   requests answered 200 (RFC 7009 answers 200 for unknown tokens too); reset by assigning 0,
 * - `errors`: the provider's error events, as idp.mjs records them (e.g. a refused refresh).
 */
export async function startThirdParty(options = {}) {
  const opts = { port: 0, scopes: ['repo', 'read:user'], accessTokenTtl: 600, ...options };
  for (const name of ['clientId', 'clientSecret']) {
    if (!opts[name]) throw new Error(`startThirdParty: \`${name}\` is required`);
  }
  if (!Array.isArray(opts.redirectUris) || opts.redirectUris.length === 0) {
    throw new Error('startThirdParty: `redirectUris` must be a non-empty array');
  }
  if (!(Number.isInteger(opts.accessTokenTtl) && opts.accessTokenTtl > 0)) {
    throw new Error('startThirdParty: `accessTokenTtl` must be a positive integer (seconds)');
  }
  const port = opts.port || (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const resource = `${issuer}/api`;
  const Adapter = memoryAdapter();
  const keys = await generateKeys('tp1'); // unused without `openid`, but the default key warns
  const provider = new Provider(issuer, configuration(opts, keys, Adapter, resource));
  provider.use(headlessInteractions(provider));
  const counters = { authorizationCode: 0, refresh: 0, revocation: 0 };
  provider.on('grant.success', (ctx) => {
    const grantType = ctx.oidc.params?.grant_type;
    if (grantType === 'authorization_code') counters.authorizationCode += 1;
    if (grantType === 'refresh_token') counters.refresh += 1;
  });
  // oidc-provider emits no event for a revocation request: count the answers.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method === 'POST' && ctx.path === '/token/revocation' && ctx.status === 200) counters.revocation += 1;
  });
  const errors = [];
  routeEvents(provider, errors, opts.log, 'thirdparty');

  const server = http.createServer(provider.callback());
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  return {
    issuer,
    port,
    resource,
    scopes: opts.scopes,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    endpoints: {
      authorization: `${issuer}/auth`,
      token: `${issuer}/token`,
      revocation: `${issuer}/token/revocation`,
    },
    counters,
    errors,
    provider,
    /**
     * The account (`sub`) an access token was issued to, or null when it is unknown, expired or
     * revoked: what the third-party API itself would accept. Synchronous (it reads the store),
     * so harness.mjs's startUpstream handler can call it; `await` works too.
     */
    whoseToken(token) {
      return Adapter.peek('AccessToken', token)?.accountId ?? null;
    },
    /**
     * The user revokes the app at the third party: every grant of `accountId` and its codes,
     * access and refresh tokens are gone, so the next refresh is `invalid_grant` and the next
     * authorization asks for consent again (the user's session there stays signed in).
     */
    async revokeAll(accountId) {
      for (const grant of Adapter.list('Grant').filter((g) => g.accountId === accountId)) {
        await Promise.all(
          [provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode]
            .map((model) => model.adapter.revokeByGrantId(grant.jti)),
        );
        await provider.Grant.adapter.destroy(grant.jti);
      }
    },
    /** Stops listening and drops keep-alive connections so the process can exit. */
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}

/** The provider configuration; the comments say why a setting departs from the defaults. */
function configuration(opts, keys, Adapter, resource) {
  return {
    jwks: keys,
    adapter: Adapter,
    clients: [
      {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: opts.redirectUris,
      },
    ],
    scopes: opts.scopes,
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    // oidc-provider requires PKCE of public clients only by default; the MCP server must use it.
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        // Explicit: the default policy prints a notice the first time it runs.
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      // Without a resource, oidc-provider would issue a UserInfo token with OIDC scopes only:
      // every request is for the API, whose scopes are all of `scopes`. Another `resource`
      // parameter (e.g. the MCP server's own URL sent to the wrong server) is invalid_target.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== resource) throw new oidcErrors.InvalidTarget();
          return { scope: opts.scopes.join(' '), audience: resource, accessTokenFormat: 'opaque' };
        },
      },
    },
    // Like GitHub: a refresh token with every code grant, `offline_access` or not.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    // Explicit TTLs and CORS hook: the defaults print a notice the first time they run.
    ttl: {
      AccessToken: opts.accessTokenTtl,
      IdToken: 600,
      RefreshToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    clientBasedCORS: () => true,
    // A JSON error body instead of an HTML page, like idp.mjs (readable in a Browser's `body`).
    renderError(ctx, out) {
      ctx.type = 'application/json';
      ctx.body = out;
    },
  };
}
