// A browser stand-in for end-to-end tests of flows that pass through a user's browser, such as
// per-user consent (the generated server's /connect/<scheme> → inbound IdP → callback → third
// party → callback). It follows redirects across hosts with a cookie jar, and names its user in
// idp.mjs's ACCOUNT_HEADER on every request, so the headless interactions of idp.mjs and
// thirdparty.mjs sign that user in and approve consent: nothing else is asked of the servers
// than standard redirects and cookies.
//
//   const alice = new Browser({ account: 'alice' });
//   const page = await alice.open(elicitationUrl);      // { status, url, body, hops }
//   assert.equal(page.status, 200);
//   assert.ok(!page.hops.some((u) => u.startsWith(tp.issuer)), 'never reached the third party');
//   await alice.request(`${base}/connect/github`, {
//     method: 'DELETE', headers: { authorization: `Bearer ${mcpToken}` } });
//
// One Browser is one user agent: its sessions at both providers last across open() calls, so a
// second consent for the same user is usually a run of redirects without a login or consent hop.

import { ACCOUNT_HEADER, ACCOUNT_ID } from './idp.mjs';

/** Redirects open() follows before it gives up (a consent round trip takes about a dozen). */
const MAX_HOPS = 30;

/** A request with no answer by then fails, rather than hanging the test. */
const REQUEST_TIMEOUT_MS = 10_000;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class Browser {
  /** `account`: the user who signs in wherever a provider asks (default idp.mjs's ACCOUNT_ID). */
  constructor({ account = ACCOUNT_ID } = {}) {
    this.account = account;
  }

  // Per origin (host:port), not per host as RFC 6265 says: every test server is on 127.0.0.1,
  // and both providers name their cookies alike (`_session`, `_interaction`). Origin → `name;path`
  // → `{ name, value, path, expires }` (ms since the epoch, Infinity for a session cookie).
  #jar = new Map();

  /**
   * GETs `url` and every redirect's Location (relative ones resolved, any host) until an answer
   * that is not a redirect, which it returns as `{ status, url, body, hops }`: the final URL,
   * the body as text, and every URL requested in order (the first and the last included).
   * Throws after MAX_HOPS redirects.
   */
  async open(url) {
    const hops = [];
    let current = new URL(url);
    for (;;) {
      hops.push(current.href);
      const answer = await this.request(current);
      const location = answer.headers.get('location');
      if (!REDIRECTS.has(answer.status) || !location) {
        return { status: answer.status, url: current.href, body: answer.body, hops };
      }
      if (hops.length > MAX_HOPS) throw new Error(`Browser: over ${MAX_HOPS} redirects:\n${hops.join('\n')}`);
      current = new URL(location, current);
    }
  }

  /**
   * One request with the jar and the account header, redirects not followed: to replay a URL,
   * or send `DELETE` with a bearer token. `init` is fetch's (its headers are kept). Returns
   * `{ status, url, headers, body }` (`headers` a Headers, `body` the text).
   */
  async request(url, init = {}) {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    headers.set(ACCOUNT_HEADER, this.account);
    const cookie = this.#cookieHeader(target);
    if (cookie) headers.set('cookie', cookie);
    let res;
    try {
      res = await fetch(target, {
        ...init,
        headers,
        redirect: 'manual',
        signal: init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      // fetch says only "fetch failed": name the URL (e.g. a redirect to where nothing listens).
      const why = err.cause?.message ?? err.message;
      throw new Error(`Browser: ${init.method ?? 'GET'} ${target.href}: ${why}`, { cause: err });
    }
    for (const line of res.headers.getSetCookie()) this.#setCookie(target, line);
    return { status: res.status, url: target.href, headers: res.headers, body: await res.text() };
  }

  /**
   * Stores one Set-Cookie line (RFC 6265 §5.2-5.3, what oidc-provider uses): name and value,
   * Path (default: the request path up to its last '/'), Max-Age (wins) or Expires; an expiry
   * in the past deletes. Domain, Secure, HttpOnly and SameSite are ignored (host-only, sent on
   * every request, as a top-level navigation would).
   */
  #setCookie(url, line) {
    const [pair, ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq < 0) return; // §5.2: no '=' means no cookie
    const name = pair.slice(0, eq).trim();
    if (!name) return;
    const value = pair.slice(eq + 1).trim();
    let path = defaultPath(url.pathname);
    let expires = Infinity;
    let maxAge;
    for (const attribute of attributes) {
      const at = attribute.indexOf('=');
      const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
      const arg = at < 0 ? '' : attribute.slice(at + 1).trim();
      if (key === 'path' && arg.startsWith('/')) path = arg;
      if (key === 'expires' && !Number.isNaN(Date.parse(arg))) expires = Date.parse(arg);
      if (key === 'max-age' && /^-?\d+$/.test(arg)) maxAge = Number(arg);
    }
    if (maxAge !== undefined) expires = maxAge <= 0 ? -Infinity : Date.now() + maxAge * 1000;
    const cookies = this.#jar.get(url.host) ?? new Map();
    this.#jar.set(url.host, cookies);
    const key = `${name};${path}`; // §5.3 step 11: the same name and path replace
    if (expires <= Date.now()) cookies.delete(key);
    else cookies.set(key, { name, value, path, expires });
  }

  /** The Cookie header for `url` (§5.4): unexpired cookies whose path matches, longest first. */
  #cookieHeader(url) {
    const cookies = this.#jar.get(url.host);
    if (!cookies) return '';
    const now = Date.now();
    return [...cookies.values()]
      .filter((c) => c.expires > now && pathMatches(url.pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

/** RFC 6265 §5.1.4 default-path: the request path up to, not including, its last '/'. */
function defaultPath(requestPath) {
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath, cookiePath) {
  if (requestPath === cookiePath) return true;
  return requestPath.startsWith(cookiePath)
    && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/');
}
