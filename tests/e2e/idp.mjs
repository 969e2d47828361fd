// A real OpenID provider (npm `oidc-provider` 9.13.3) on 127.0.0.1, for end-to-end tests of a
// generated MCP server acting as an OAuth 2.1 resource server, plus the client-side helpers
// those tests need: headless authorization, token requests, hostile tokens, and an
// `OAuthClientProvider` for the MCP TypeScript SDK.
//
//   const idp = await startIdp({ resource: 'http://127.0.0.1:8080/mcp', scopes: ['pets:read'] });
//   const token = await clientCredentialsToken({ issuer: idp.issuer, ...idp.clients.service,
//                                               scope: 'pets:read', resource: idp.resource });
//   ...
//   await idp.close();
//
// Key rotation: `await idp.rotate()` restarts the provider on the SAME port (so the issuer string
// is identical) signing with a new key; see `rotate` below.
//
// Token exchange (RFC 8693): with `upstreamResource`, the pre-registered `clients.exchanger` can
// trade an access token this IdP issued for the MCP resource against a JWT for the upstream API:
//
//   const idp = await startIdp({ resource, scopes, upstreamResource: 'http://127.0.0.1:4010/' });
//   const { access_token } = await exchangeToken({ issuer: idp.issuer, ...idp.clients.exchanger,
//     subjectToken: userToken, resource: idp.upstreamResource, scope: 'pets:read' });
//   idp.counters.tokenExchange; // 1
//
// Several users: headless logins sign in as the account the request's ACCOUNT_HEADER names
// (`codeFlowToken({ ..., account: 'alice' })`, browser.mjs's Browser), ACCOUNT_ID without it.

import http from 'node:http';
import crypto from 'node:crypto';
import * as jose from 'jose';

// oidc-provider 9 warns once at import time that Node 20 is not a supported runtime. It works
// here (see shared/notes/e2e-stack.md); drop that one line so test output stays readable.
// `errors` is a named export only: `Provider.errors` does not exist in oidc-provider 9.
const { default: Provider, errors: oidcErrors } = await (async () => {
  const warn = console.warn;
  console.warn = (...args) => {
    if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
  };
  try {
    return await import('oidc-provider');
  } finally {
    console.warn = warn;
  }
})();
// For thirdparty.mjs, so that oidc-provider is imported this quiet way only.
export { Provider, oidcErrors };

/** The account a headless login signs in as when the request names none (ACCOUNT_HEADER). */
export const ACCOUNT_ID = 'user-1';

/**
 * Request header naming the account a headless login signs in as (its value becomes the `sub`),
 * so tests can have several users: authorizeHeadless / codeFlowToken / HeadlessOAuthProvider
 * take `account`, and browser.mjs's Browser sends it on every request. Read only at the login
 * prompt: a session cookie keeps the account it was opened with.
 */
export const ACCOUNT_HEADER = 'x-test-account';

/** Redirect URI of the pre-registered public client; nothing listens there. */
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1/callback';

/** RFC 8693 grant type and the only token type the exchange accepts and issues. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** Lifetime (s) of every access token unless `accessTokenTtl` shortens some of them. */
const DEFAULT_ACCESS_TOKEN_TTL = 600;

/**
 * Starts the provider. Options:
 * - `port` (0 = pick a free one), `resource` (the MCP server's canonical URL: JWT access tokens
 *   get `aud` = resource), `scopes` (the resource's scopes, e.g. ['pets:read', 'pets:write']),
 * - `keys`: a private JWKS `{ keys: [...] }` to sign with (default: one fresh RSA key, kid `k1`);
 *   the first key signs, every key is published at `jwks_uri`,
 * - `opaqueResource`: a second resource whose access tokens are opaque (introspection only),
 * - `extraClients`: more client metadata objects to register at start, e.g. the generated
 *   server's connect client for per-user consent (confidential, client_secret_basic, code flow,
 *   `scope=openid`, redirect URI on the server's port: its id_token has `sub` and `nonce`; its
 *   access token, aud = `resource` with no scope, comes too; consent-idp.selftest.mjs shows it),
 * - `upstreamResource`: the upstream API's identifier (a URL), a third resource with JWT access
 *   tokens (`aud` = this URL) meant to be reached through token exchange (see below),
 * - `upstreamScopes`: that resource's scopes (default: `scopes`),
 * - `accessTokenTtl`: lifetime in seconds of client_credentials tokens and of exchanged tokens
 *   (default 600, like every other access token; authorization-code / refresh access tokens
 *   always keep 600 so a short TTL does not expire the MCP client's own token mid-test),
 * - `log`: print every provider error event (default: only server errors),
 * - `audience`: the `aud` of `resource`'s JWT access tokens (default: `resource` itself; another
 *   value makes the classic misconfiguration, an audience that is not the MCP server's URL),
 * - `discovery`: a function that edits the discovery document (at both well-known names) in
 *   place before it is served
 *   (misconfigured metadata: no PKCE methods, another issuer).
 *
 * Returns `{ issuer, port, resource, opaqueResource, upstreamResource, scopes, keys, clients,
 * counters, provider, errors, close(), rotate(keys?) }`. `clients` holds `public` (auth code +
 * PKCE, `redirectUri`), `service` (client_credentials), `introspector` (the resource server's
 * introspection credentials) and `exchanger` (token exchange + client_credentials: the MCP
 * server's own credentials when it exchanges tokens), each as `{ clientId, clientSecret? }`.
 * `errors` collects the provider's error events (`{ event, error, description, detail? }`), handy
 * when a negative test wants to know why.
 *
 * `counters` counts token endpoint answers, across `rotate()` too (same object):
 * `tokenExchange` (tokens issued by the exchange grant), `tokenExchangeRejected` (exchange
 * requests answered with an error, including client authentication and grant-not-allowed
 * errors) and `clientCredentials` (client_credentials tokens issued). Reset by assigning 0.
 *
 * Token exchange (`urn:ietf:params:oauth:grant-type:token-exchange`, client authenticated as
 * registered, i.e. client_secret_basic for `exchanger`; the grant must be in its grant_types):
 * - `subject_token` (required): an access token JWT this IdP issued for `resource` (the MCP
 *   server): RS256, `typ: at+jwt`, signature checked against the IdP's current keys, `iss` =
 *   issuer, `aud` containing `resource`, not expired. Otherwise `invalid_grant` (opaque tokens
 *   too).
 * - `subject_token_type` (required) and `requested_token_type` (optional) must be
 *   `urn:ietf:params:oauth:token-type:access_token`, else `invalid_request`; `actor_token` is
 *   refused with `invalid_request`.
 * - `resource` and/or `audience`: together exactly one distinct value, a resource this IdP knows
 *   (`upstreamResource`, or `resource`/`opaqueResource`): none → `invalid_request`, several or
 *   unknown → `invalid_target`.
 * - `scope` (optional): every value must be one of the target's scopes (else `invalid_scope`);
 *   it is not limited to the subject token's scopes. Omitted: the subject token's scopes that
 *   the target knows.
 * - Issues a JWT access token for the target: `aud` = target, `sub` = the subject's `sub`,
 *   `client_id` = the exchanging client, `scope`, `act: { sub: <exchanging client> }` (nesting
 *   the subject token's own `act`, RFC 8693 §4.1), `iss`, `iat`, `exp`, `jti`. Answer:
 *   `{ access_token, issued_token_type, token_type: 'Bearer', expires_in, scope? }`, no refresh.
 */
export async function startIdp(options = {}, internal = {}) {
  const opts = { port: 0, scopes: [], extraClients: [], ...options };
  if (!opts.resource) throw new Error('startIdp: `resource` is required');
  if (opts.upstreamResource !== undefined && !URL.canParse(opts.upstreamResource)) {
    throw new Error('startIdp: `upstreamResource` must be an absolute URL');
  }
  if (opts.accessTokenTtl !== undefined && !(Number.isInteger(opts.accessTokenTtl) && opts.accessTokenTtl > 0)) {
    throw new Error('startIdp: `accessTokenTtl` must be a positive integer (seconds)');
  }
  // Shared with the instance rotate() starts, so counts survive a restart.
  const counters = internal.counters ?? { tokenExchange: 0, tokenExchangeRejected: 0, clientCredentials: 0 };
  const keys = opts.keys ?? (await generateKeys('k1'));
  const port = opts.port || (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const clients = {
    public: { clientId: 'mcp-public', redirectUri: DEFAULT_REDIRECT_URI },
    service: { clientId: 'mcp-service', clientSecret: 'service-secret' },
    introspector: { clientId: 'mcp-introspector', clientSecret: 'introspector-secret' },
    exchanger: { clientId: 'mcp-exchanger', clientSecret: 'exchanger-secret' },
  };
  const errors = [];
  const resources = resourceServers(opts);
  const provider = new Provider(issuer, configuration(opts, keys, clients, resources));
  provider.use(headlessInteractions(provider));
  if (opts.discovery) {
    provider.use(async (ctx, next) => {
      await next();
      // oidc-provider serves the same document at both well-known names (OIDC and RFC 8414).
      const names = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'];
      if (names.includes(ctx.path) && ctx.body && typeof ctx.body === 'object') {
        opts.discovery(ctx.body);
      }
    });
  }
  const exchange = tokenExchange(provider, opts, keys, resources);
  provider.registerGrantType(TOKEN_EXCHANGE_GRANT, exchange.handler, exchange.parameters, exchange.dupes);
  routeEvents(provider, errors, opts.log);
  countGrants(provider, counters);

  // `Connection: close` on every answer: after a restart on the same port (rotate), no client
  // (this process's fetch, the server under test) reuses a pooled socket to the old server.
  const handle = provider.callback();
  const server = http.createServer((req, res) => {
    res.setHeader('connection', 'close');
    handle(req, res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  const idp = {
    issuer,
    port,
    resource: opts.resource,
    opaqueResource: opts.opaqueResource,
    upstreamResource: opts.upstreamResource,
    scopes: opts.scopes,
    keys,
    clients,
    counters,
    provider,
    errors,
    /** Stops listening and drops keep-alive connections so the process can exit. */
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
    /**
     * Key rotation: restarts on the same port (same issuer) signing with `newKeys` (default: a
     * fresh RSA key with a new kid, published alone). To publish old and new keys together
     * (a graceful rotation), pass `{ keys: [newKey, ...idp.keys.keys] }`: the first one signs.
     * In-memory state (dynamically registered clients, grants, opaque tokens) is lost, like a
     * real restart; the pre-registered clients come back; `counters` keep counting. Updates
     * this object in place and returns it.
     */
    async rotate(newKeys) {
      await idp.close();
      const next = await startIdp({
        ...opts,
        port,
        keys: newKeys ?? (await generateKeys(`k${crypto.randomUUID().slice(0, 8)}`)),
      }, { counters });
      // Keep this `rotate` (it closes over `idp`, which now carries the new close()).
      return Object.assign(idp, next, { rotate: idp.rotate });
    },
  };
  return idp;
}

/**
 * The resource servers the IdP knows, by identifier, as `getResourceServerInfo` answers; throws
 * InvalidTarget for any other identifier.
 */
function resourceServers(opts) {
  const known = new Map([
    ...(opts.upstreamResource
      ? [[opts.upstreamResource, { format: 'jwt', scopes: opts.upstreamScopes ?? opts.scopes }]]
      : []),
    ...(opts.opaqueResource ? [[opts.opaqueResource, { format: 'opaque', scopes: opts.scopes }]] : []),
    [opts.resource, { format: 'jwt', scopes: opts.scopes, audience: opts.audience }],
  ]);
  return {
    allScopes: [...new Set([...known.values()].flatMap((r) => r.scopes))],
    info(indicator) {
      const found = known.get(indicator);
      if (!found) throw new oidcErrors.InvalidTarget();
      const scope = found.scopes.join(' ');
      return found.format === 'jwt'
        ? { scope, audience: found.audience ?? indicator, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }
        : { scope, audience: indicator, accessTokenFormat: 'opaque' };
    },
  };
}

/** The provider configuration; the comments say why a setting departs from the defaults. */
function configuration(opts, keys, clients, resources) {
  const ttl = opts.accessTokenTtl ?? DEFAULT_ACCESS_TOKEN_TTL;
  return {
    jwks: keys,
    // Our own store: the built-in one warns on every start, and this one is per instance.
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: clients.public.clientId,
        // `native` makes any port of a loopback redirect URI acceptable (RFC 8252 §7.3).
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [clients.public.redirectUri],
      },
      {
        client_id: clients.service.clientId,
        client_secret: clients.service.clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: opts.scopes.join(' ') || undefined,
      },
      {
        client_id: clients.introspector.clientId,
        client_secret: clients.introspector.clientSecret,
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: clients.exchanger.clientId,
        client_secret: clients.exchanger.clientSecret,
        // Default auth method: client_secret_basic (oidc-provider refuses any other method).
        grant_types: [TOKEN_EXCHANGE_GRANT, 'client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: resources.allScopes.join(' ') || undefined,
      },
      ...opts.extraClients,
    ],
    // Resource scopes are listed too: client registration rejects a `scope` naming unknown values.
    scopes: ['openid', 'offline_access', ...resources.allScopes],
    claims: { openid: ['sub'] },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    pkce: { required: () => true }, // S256 is the only method oidc-provider 9 implements
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Any confidential client (the resource server) may introspect any token; a public
        // client only its own.
        allowedPolicy: (ctx, client, token) =>
          client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: (ctx, client, token) => token.clientId === client.clientId,
      },
      registration: { enabled: true }, // open: no initial access token
      resourceIndicators: {
        enabled: true,
        defaultResource: () => opts.resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => resources.info(indicator),
      },
    },
    // RFC 8693 §4.1 `act` on exchanged tokens (JWT claims spread `extra` first, so it stays).
    extraTokenClaims: (_ctx, token) =>
      token.kind === 'AccessToken' && token.gty === TOKEN_EXCHANGE_GRANT
        ? { act: { sub: token.clientId, ...(priorActs.has(token) ? { act: priorActs.get(token) } : {}) } }
        : undefined,
    // MCP clients never ask for `offline_access`, yet refresh tests need a refresh token.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Explicit TTLs and CORS/error hooks: the defaults print a notice the first time they run.
    // `accessTokenTtl` shortens client_credentials and exchanged tokens only.
    ttl: {
      AccessToken: (_ctx, token) => (token.gty === TOKEN_EXCHANGE_GRANT ? ttl : DEFAULT_ACCESS_TOKEN_TTL),
      ClientCredentials: () => ttl,
      IdToken: 600,
      RefreshToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    clientBasedCORS: () => true,
    // A JSON error body instead of an HTML page: read by authorizeHeadless when it throws.
    renderError(ctx, out) {
      ctx.type = 'application/json';
      ctx.body = out;
    },
  };
}

/** The subject token's own `act` for each exchanged token being minted (nested in its `act`). */
const priorActs = new WeakMap();

/**
 * The RFC 8693 token exchange grant (semantics in startIdp's comment), for
 * `provider.registerGrantType`. Client authentication and the client's `grant_types` are checked
 * by oidc-provider before the handler runs.
 */
function tokenExchange(provider, opts, keys, resources) {
  const { CustomOIDCProviderError, InvalidScope } = oidcErrors;
  const fail = (error, description) => new CustomOIDCProviderError(error, description);
  // Public halves of the signing keys: the IdP's own JWKS as `jwks_uri` serves it.
  const jwks = jose.createLocalJWKSet({
    keys: keys.keys.map(({ d, p, q, dp, dq, qi, k, ...pub }) => pub),
  });
  const list = (value) => (value === undefined ? [] : [value].flat());

  async function handler(ctx) {
    const { params, client } = ctx.oidc;
    if (!params.subject_token) throw fail('invalid_request', "missing required parameter 'subject_token'");
    if (!params.subject_token_type) {
      throw fail('invalid_request', "missing required parameter 'subject_token_type'");
    }
    if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
      throw fail('invalid_request', `unsupported subject_token_type, only ${ACCESS_TOKEN_TYPE}`);
    }
    if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
      throw fail('invalid_request', `unsupported requested_token_type, only ${ACCESS_TOKEN_TYPE}`);
    }
    if (params.actor_token !== undefined || params.actor_token_type !== undefined) {
      throw fail('invalid_request', 'actor_token is not supported');
    }

    const targets = [...new Set([...list(params.resource), ...list(params.audience)])];
    if (targets.length === 0) throw fail('invalid_request', 'a resource or audience parameter is required');
    if (targets.length > 1) throw fail('invalid_target', 'only one target (resource/audience value) is supported');
    const [target] = targets;
    const info = resources.info(target); // InvalidTarget when unknown

    let subject;
    try {
      ({ payload: subject } = await jose.jwtVerify(params.subject_token, jwks, {
        issuer: provider.issuer,
        audience: opts.resource,
        typ: 'at+jwt',
        algorithms: ['RS256'],
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (err) {
      throw fail('invalid_grant', `subject_token rejected: ${err.message}`);
    }

    const offered = new Set(info.scope.split(' ').filter(Boolean));
    let scopes;
    if (params.scope) {
      scopes = [...new Set(params.scope.split(' ').filter(Boolean))];
      const unknown = scopes.filter((s) => !offered.has(s));
      if (unknown.length) {
        throw new InvalidScope(`scope not available for ${target}`, unknown.join(' '));
      }
      const allowed = client.scope ? new Set(client.scope.split(' ')) : offered;
      const refused = scopes.filter((s) => !allowed.has(s));
      if (refused.length) throw new InvalidScope('requested scope is not allowed', refused.join(' '));
    } else {
      scopes = String(subject.scope ?? '').split(' ').filter((s) => offered.has(s));
    }

    const token = new provider.AccessToken({
      accountId: subject.sub,
      client,
      gty: TOKEN_EXCHANGE_GRANT, // read by ttl.AccessToken and extraTokenClaims
      scope: scopes.join(' ') || undefined,
      resourceServer: new provider.ResourceServer(target, info),
    });
    if (subject.act) priorActs.set(token, subject.act);
    ctx.oidc.entity('AccessToken', token);
    const value = await token.save();
    ctx.body = {
      access_token: value,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: token.expiration,
      ...(token.scope ? { scope: token.scope } : {}),
    };
  }

  return {
    handler,
    parameters: [
      'subject_token', 'subject_token_type', 'requested_token_type', 'resource', 'audience',
      'scope', 'actor_token', 'actor_token_type',
    ],
    dupes: ['resource', 'audience'], // RFC 8693 allows several; the handler then says which
  };
}

/** Feeds `idp.counters` from the token endpoint's events. */
function countGrants(provider, counters) {
  provider.on('grant.success', (ctx) => {
    const grantType = ctx.oidc.params?.grant_type;
    if (grantType === TOKEN_EXCHANGE_GRANT) counters.tokenExchange += 1;
    if (grantType === 'client_credentials') counters.clientCredentials += 1;
  });
  provider.on('grant.error', (ctx) => {
    if (ctx.oidc?.params?.grant_type === TOKEN_EXCHANGE_GRANT) counters.tokenExchangeRejected += 1;
  });
}

/**
 * Answers `GET /interaction/:uid` without a browser: the login prompt with the account the
 * request's ACCOUNT_HEADER names (default ACCOUNT_ID), the consent prompt with a Grant holding
 * everything that is missing. One prompt per visit; the provider sends the client back here for
 * the next one. For `provider.use(...)`; thirdparty.mjs uses it too.
 */
export function headlessInteractions(provider) {
  return async (ctx, next) => {
    const match = ctx.method === 'GET' && /^\/interaction\/([^/]+)$/.exec(ctx.path);
    if (!match) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { prompt, params, session } = details;
    let result;
    if (prompt.name === 'login') {
      result = { login: { accountId: ctx.get(ACCOUNT_HEADER) || ACCOUNT_ID } };
    } else if (prompt.name === 'consent') {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const missing = prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      result = { consent: { grantId: await grant.save() } };
    } else {
      result = { error: 'access_denied', error_description: `unhandled prompt ${prompt.name}` };
    }
    // interactionFinished writes the 303 itself, so Koa must not touch the response.
    ctx.respond = false;
    await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  };
}

/**
 * Keeps client errors (expected in negative tests) quiet but recorded in `errors`; server errors
 * loud (every error with `log`), prefixed with `[label]`. thirdparty.mjs uses it too.
 */
export function routeEvents(provider, errors, log, label = 'idp') {
  const record = (event) => (ctx, error) => {
    const entry = { event, error: error.error ?? error.message, description: error.error_description };
    if (error.error_detail !== undefined) entry.detail = error.error_detail; // e.g. why client auth failed
    errors.push(entry);
    if (log || event === 'server_error') console.error(`[${label}] ${event}:`, error);
  };
  for (const event of [
    'server_error',
    'authorization.error',
    'grant.error',
    'introspection.error',
    'registration_create.error',
    'revocation.error',
    'jwks.error',
    'discovery.error',
  ]) {
    provider.on(event, record(event));
  }
  provider.on('error', record('server_error')); // Koa's own; without a listener it logs
}

/**
 * A minimal per-instance adapter (the oidc-provider adapter interface). Its two static methods
 * read the store synchronously for test controls (thirdparty.mjs's whoseToken and revokeAll).
 */
export function memoryAdapter() {
  const store = new Map();
  const now = () => Math.floor(Date.now() / 1000);
  const live = (entry) => entry && entry.exp > now();
  return class MemoryAdapter {
    /** What `find` would answer for `model` (e.g. 'AccessToken') `id`, without the promise. */
    static peek(model, id) {
      const entry = store.get(`${model}:${id}`);
      return live(entry) ? entry.payload : undefined;
    }
    /** The payloads of every unexpired `model` entry (e.g. 'Grant'). */
    static list(model) {
      return [...store]
        .filter(([key, entry]) => key.startsWith(`${model}:`) && live(entry))
        .map(([, entry]) => entry.payload);
    }
    constructor(model) {
      this.model = model;
    }
    key(id) {
      return `${this.model}:${id}`;
    }
    async upsert(id, payload, expiresIn) {
      store.set(this.key(id), { payload, exp: expiresIn ? now() + expiresIn : Infinity });
    }
    async find(id) {
      const entry = store.get(this.key(id));
      if (!entry) return undefined;
      if (entry.exp <= now()) {
        store.delete(this.key(id));
        return undefined;
      }
      return entry.payload;
    }
    async findByUid(uid) {
      for (const [key, { payload }] of store) {
        if (key.startsWith(`${this.model}:`) && payload.uid === uid) return this.find(payload.jti);
      }
      return undefined;
    }
    async findByUserCode(userCode) {
      for (const [key, { payload }] of store) {
        if (key.startsWith(`${this.model}:`) && payload.userCode === userCode) return this.find(payload.jti);
      }
      return undefined;
    }
    async consume(id) {
      const entry = store.get(this.key(id));
      if (entry) entry.payload.consumed = now();
    }
    async destroy(id) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId) {
      for (const [key, { payload }] of store) {
        if (payload.grantId === grantId) store.delete(key);
      }
    }
  };
}

/** A port that was free a moment ago: the issuer must be known before the provider exists. */
export async function freePort() {
  const probe = http.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A private JWKS with one RSA 2048 signing key. */
export async function generateKeys(kid = 'k1') {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  return { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] };
}

// ---------------------------------------------------------------------------------------------
// Client side
// ---------------------------------------------------------------------------------------------

/**
 * Follows an authorization request to its callback without a browser: `redirect: 'manual'` and a
 * cookie jar through /auth → /interaction/:uid → /auth/:uid → … until the Location starts with
 * the request's `redirect_uri` (nothing listens there). Returns `{ code, url, params }`, where
 * `params` are the callback's query parameters (`code`, `state`, `iss`). Throws on an OAuth error
 * at the callback or on a non-redirect answer. `account` (default ACCOUNT_ID) is sent as
 * ACCOUNT_HEADER on every hop: the user who signs in. A fresh jar each call, so a fresh login.
 */
export async function authorizeHeadless(authorizationUrl, { account } = {}) {
  let url = new URL(authorizationUrl);
  const redirectUri = url.searchParams.get('redirect_uri');
  if (!redirectUri) throw new Error('authorizeHeadless: the URL has no redirect_uri');
  const jar = new Map();
  for (let hop = 0; hop < 20; hop += 1) {
    const res = await fetch(url, {
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(account ? { [ACCOUNT_HEADER]: account } : {}),
      },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now())
        || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (!value || expired) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`authorizeHeadless: ${res.status} at ${url.pathname}: ${await res.text()}`);
    }
    await res.body?.cancel();
    if (location.startsWith(redirectUri)) {
      const callback = new URL(location);
      const params = Object.fromEntries(callback.searchParams);
      if (params.error) {
        throw new Error(`authorizeHeadless: ${params.error}: ${params.error_description ?? ''}`);
      }
      return { code: params.code, url: callback.href, params };
    }
    url = new URL(location, url);
  }
  throw new Error('authorizeHeadless: too many redirects');
}

/** A PKCE S256 pair. */
export function pkcePair() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

/**
 * The whole authorization-code + PKCE S256 flow, headless: authorize, then exchange the code.
 * Returns the token endpoint's JSON (`access_token`, `refresh_token`, `scope`, ...). `account`:
 * the user who signs in (the tokens' `sub`; default ACCOUNT_ID).
 */
export async function codeFlowToken({
  issuer, clientId, redirectUri = DEFAULT_REDIRECT_URI, scope, resource, account,
}) {
  const { verifier, challenge } = pkcePair();
  const auth = new URL('/auth', issuer);
  const query = {
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: crypto.randomUUID(),
    ...(scope ? { scope } : {}),
    ...(resource ? { resource } : {}),
  };
  for (const [k, v] of Object.entries(query)) auth.searchParams.set(k, v);
  const { code } = await authorizeHeadless(auth, { account });
  return tokenRequest(issuer, {
    grant_type: 'authorization_code',
    client_id: clientId,
    code,
    code_verifier: verifier,
    redirect_uri: redirectUri,
    ...(resource ? { resource } : {}),
  });
}

/**
 * A client_credentials access token (client_secret_basic). With `resource` it is a JWT with
 * `aud` = resource (or opaque for the opaque resource); without, oidc-provider issues an opaque
 * token with no audience.
 */
export async function clientCredentialsToken({ issuer, clientId, clientSecret, scope, resource }) {
  const body = await tokenRequest(
    issuer,
    { grant_type: 'client_credentials', ...(scope ? { scope } : {}), ...(resource ? { resource } : {}) },
    { clientId, clientSecret },
  );
  return body.access_token;
}

/**
 * RFC 8693 token exchange with client_secret_basic; returns the token endpoint's JSON
 * (`access_token`, `issued_token_type`, `token_type`, `expires_in`, `scope`). `resource` and
 * `audience` may each be a string or an array (sent repeated); `subjectTokenType` defaults to
 * the access token type (`null` leaves the parameter out). Throws like every helper here on an
 * error answer; the Error carries `status` and `body` (`{ error, error_description }`).
 */
export async function exchangeToken({
  issuer, clientId, clientSecret, subjectToken, subjectTokenType = ACCESS_TOKEN_TYPE,
  requestedTokenType, resource, audience, scope,
}) {
  const form = new URLSearchParams({ grant_type: TOKEN_EXCHANGE_GRANT });
  if (subjectToken !== undefined) form.append('subject_token', subjectToken);
  if (subjectTokenType != null) form.append('subject_token_type', subjectTokenType);
  if (requestedTokenType !== undefined) form.append('requested_token_type', requestedTokenType);
  for (const value of [resource ?? []].flat()) form.append('resource', value);
  for (const value of [audience ?? []].flat()) form.append('audience', value);
  if (scope) form.append('scope', scope);
  return tokenRequest(issuer, form, { clientId, clientSecret });
}

/** RFC 7662 introspection with client_secret_basic; returns the JSON answer. */
export async function introspect({ issuer, clientId, clientSecret, token }) {
  return postForm(new URL('/token/introspection', issuer), { token }, { clientId, clientSecret });
}

/** RFC 7591 dynamic registration; returns the registered client (with `client_id`). */
export async function registerClient(issuer, metadata) {
  const res = await fetch(new URL('/reg', issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  });
  const body = await res.json();
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function tokenRequest(issuer, form, auth) {
  return postForm(new URL('/token', issuer), form, auth);
}

async function postForm(url, form, auth) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth?.clientSecret) {
    // RFC 6749 §2.3.1: each part form-urlencoded before base64.
    const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${enc(auth.clientId)}:${enc(auth.clientSecret)}`).toString('base64')}`;
  }
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(form) });
  const body = await res.json();
  if (!res.ok) {
    throw Object.assign(new Error(`${url.pathname} failed: ${res.status} ${JSON.stringify(body)}`), {
      status: res.status,
      body,
    });
  }
  return body;
}

// ---------------------------------------------------------------------------------------------
// Tokens for the negative matrix
// ---------------------------------------------------------------------------------------------

/**
 * Claims of a valid access token for `idp.resource` as the IdP would issue it; `overrides` win
 * (a value of `undefined` removes the claim). Pair with mintToken for expired / wrong-aud / nbf
 * cases.
 */
export function accessTokenClaims(idp, overrides = {}) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: idp.issuer,
    sub: ACCOUNT_ID,
    aud: idp.resource,
    scope: idp.scopes.join(' '),
    client_id: idp.clients.public.clientId,
    iat: now,
    exp: now + 300,
    jti: crypto.randomUUID(),
    ...overrides,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return claims;
}

/**
 * Signs `claims` exactly as given with the IdP's first private key, or the key whose kid is
 * `header.kid` (an unknown kid signs with the first key and keeps the unknown kid in the header).
 * Default header `{ alg: 'RS256', typ: 'at+jwt', kid }`; `header` entries win, so e.g.
 * `{ alg: 'PS256' }` signs with the same RSA key under another algorithm, `{ typ: 'JWT' }`
 * changes the type.
 */
export async function mintToken(keys, claims, header = {}) {
  const jwk = keys.keys.find((k) => k.kid === header.kid) ?? keys.keys[0];
  const full = { alg: 'RS256', typ: 'at+jwt', kid: jwk.kid, ...header };
  const { alg: _ignored, ...bare } = jwk; // the JWK's own `alg` would pin RS256
  const key = await jose.importJWK(bare, full.alg);
  return new jose.SignJWT(claims).setProtectedHeader(full).sign(key);
}

/** `alg: none` with an empty signature: must be rejected however valid the claims are. */
export function unsignedToken(claims, header = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'at+jwt', ...header })}.${b64(claims)}.`;
}

/**
 * Algorithm confusion: HS256 with the IdP's RSA PUBLIC key as the HMAC secret, header kid = the
 * RSA key's kid. `material` picks the secret: 'pem' (default, the classic attack) = the UTF-8
 * bytes of the SPKI PEM as Node exports it (`-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC
 * KEY-----\n`, trailing newline included); 'n' = the UTF-8 bytes of the JWK's base64url `n`.
 */
export async function hs256WithPublicKey(keys, claims, { material = 'pem', header = {} } = {}) {
  const jwk = keys.keys[0];
  const publicKey = crypto.createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
  const secret = material === 'n'
    ? new TextEncoder().encode(jwk.n)
    : new TextEncoder().encode(publicKey.export({ type: 'spki', format: 'pem' }));
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: jwk.kid, ...header })
    .sign(secret);
}

/**
 * RS256 with a fresh key that is NOT in the IdP's JWKS. Header kid defaults to 'foreign'; pass
 * `{ kid: idp.keys.keys[0].kid }` for the nastier case where the kid names a real IdP key but
 * the signature does not match it.
 */
export async function foreignKeyToken(claims, header = {}) {
  const foreign = await generateKeys('foreign');
  return mintToken(foreign, claims, header);
}

// ---------------------------------------------------------------------------------------------
// MCP SDK client provider
// ---------------------------------------------------------------------------------------------

/**
 * An `OAuthClientProvider` (@modelcontextprotocol/sdk 1.32.2) for headless tests, all in memory.
 * Without `clientInformation` the SDK registers dynamically; with it (e.g.
 * `{ client_id: idp.clients.public.clientId }`) the client is pre-registered.
 * `redirectToAuthorization` runs authorizeHeadless (signing in as `account`, default ACCOUNT_ID)
 * and keeps the code in `authorizationCode`:
 *
 *   const auth = new HeadlessOAuthProvider();
 *   const first = new StreamableHTTPClientTransport(url, { authProvider: auth });
 *   await assert.rejects(new Client(info).connect(first), UnauthorizedError);
 *   await first.finishAuth(auth.authorizationCode); // this transport saw the 401's challenge
 *   const client = new Client(info);
 *   await client.connect(new StreamableHTTPClientTransport(url, { authProvider: auth }));
 */
export class HeadlessOAuthProvider {
  constructor({
    redirectUrl = DEFAULT_REDIRECT_URI, clientInformation, scope, clientName = 'mcpwright-e2e', account,
  } = {}) {
    this._redirectUrl = redirectUrl;
    this._account = account;
    this._clientInformation = clientInformation;
    this._scope = scope;
    this._clientName = clientName;
    this._tokens = undefined;
    this._codeVerifier = undefined;
    /** The code from the last headless authorization, for `transport.finishAuth(code)`. */
    this.authorizationCode = undefined;
    /** The last authorization URL the SDK built (to assert on `resource`, `scope`, PKCE). */
    this.authorizationUrl = undefined;
    /** The last callback's query parameters (`code`, `state`, `iss`). */
    this.callbackParams = undefined;
  }

  get redirectUrl() {
    return this._redirectUrl;
  }

  get clientMetadata() {
    return {
      client_name: this._clientName,
      redirect_uris: [this._redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native', // passed through to the registration body: any loopback port
      ...(this._scope ? { scope: this._scope } : {}),
    };
  }

  clientInformation() {
    return this._clientInformation;
  }

  saveClientInformation(info) {
    this._clientInformation = info;
  }

  tokens() {
    return this._tokens;
  }

  saveTokens(tokens) {
    this._tokens = tokens;
  }

  async redirectToAuthorization(url) {
    this.authorizationUrl = new URL(url);
    const { code, params } = await authorizeHeadless(url, { account: this._account });
    this.authorizationCode = code;
    this.callbackParams = params;
  }

  saveCodeVerifier(verifier) {
    this._codeVerifier = verifier;
  }

  codeVerifier() {
    if (!this._codeVerifier) throw new Error('no code verifier saved');
    return this._codeVerifier;
  }

  invalidateCredentials(scope) {
    if (scope === 'all' || scope === 'client') this._clientInformation = undefined;
    if (scope === 'all' || scope === 'tokens') this._tokens = undefined;
    if (scope === 'all' || scope === 'verifier') this._codeVerifier = undefined;
  }
}
