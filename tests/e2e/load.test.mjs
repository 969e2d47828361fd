// Load: 64 concurrent MCP sessions over streamable HTTP with JWT validation on, from
// mcpwright-loadgen (benches/loadgen, on rmcp's client), in front of nginx as the upstream.
// Every call must succeed and carry its own answer; memory must stay bounded (no growth from one
// round of load to the next).
//
//   MCPWRIGHT_SERVER=<petstore server> MCPWRIGHT_LOADGEN=<mcpwright-loadgen> MCPWRIGHT_NGINX=<nginx> \
//     [LOAD_SESSIONS=64] [LOAD_CALLS=200] [LOAD_ROUNDS=2] node --test load.test.mjs
//
// CI runs a short soak (64 × 200 calls, twice); the long one is LOAD_CALLS=1000 (64,000 calls per
// round) or more, see README.md.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { freePort, memoryMb, spawnServer, startNginx } from './harness.mjs';
import { accessTokenClaims, mintToken, startIdp } from './idp.mjs';

const bin = process.env.MCPWRIGHT_SERVER;
const loadgen = process.env.MCPWRIGHT_LOADGEN;
const nginxBin = process.env.MCPWRIGHT_NGINX;
if (!bin || !loadgen || !nginxBin) throw new Error('set MCPWRIGHT_SERVER, MCPWRIGHT_LOADGEN and MCPWRIGHT_NGINX');
const SESSIONS = Number(process.env.LOAD_SESSIONS ?? 64);
const CALLS = Number(process.env.LOAD_CALLS ?? 200);
const ROUNDS = Number(process.env.LOAD_ROUNDS ?? 2);

let upstream;
let idp;
let server;

before(async () => {
  upstream = await startNginx(
    nginxBin,
    `server {
    listen 127.0.0.1:{port};
    keepalive_requests 1000000;
    location ~ ^/v1/pets/(\\d+)$ {
      if ($http_authorization != "Bearer upstream-token") { return 401; }
      default_type application/json;
      return 200 '{"id":$1,"name":"pet $1"}';
    }
  }`,
  );
  const port = await freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  idp = await startIdp({ resource, scopes: ['pets:read', 'pets:write', 'pets:admin'] });
  server = await spawnServer(bin, ['serve', '--transport', 'http', '--bind', `127.0.0.1:${port}`, '--issuer', idp.issuer], {
    MCP_UPSTREAM_URL: `${upstream.url}/v1`,
    PETSTORE_AUTH_BEARER_TOKEN: 'upstream-token',
    MCP_LOG_LEVEL: 'warn',
  });
});

after(async () => {
  await server?.stop();
  await idp?.close();
  await upstream?.stop();
});

test(`${SESSIONS} sessions × ${CALLS} calls × ${ROUNDS} rounds with a JWT: no errors, no crossed answers, bounded memory`, async () => {
  const token = await mintToken(idp.keys, accessTokenClaims(idp, { scope: 'pets:read' }));
  const run = promisify(execFile);
  const rss = [];
  for (let round = 1; round <= ROUNDS; round++) {
    let result;
    try {
      const { stdout } = await run(
        loadgen,
        ['mcp', '--url', server.url, '--token', token, '--sessions', String(SESSIONS), '--calls', String(CALLS), '--json'],
        { maxBuffer: 1 << 20, timeout: 600_000 },
      );
      result = JSON.parse(stdout.trim().split('\n').pop());
    } catch (err) {
      assert.fail(`loadgen failed (round ${round}):\n${err.stdout}\n${err.stderr}\nserver log:\n${server.logs.join('')}`);
    }
    const memory = memoryMb(server.child.pid);
    rss.push(memory.rss);
    console.log(
      `round ${round}: ${result.calls} calls, ${Math.round(result.calls_per_s)} calls/s, p50 ${result.p50_us} µs, ` +
        `p99 ${result.p99_us} µs, RSS ${memory.rss.toFixed(1)} MB (peak ${memory.peak.toFixed(1)} MB)`,
    );
    assert.equal(result.errors, 0);
    assert.equal(result.mismatches, 0);
    assert.equal(result.calls, SESSIONS * CALLS);
    assert.ok(memory.peak < 200, `peak RSS ${memory.peak} MB`);
  }
  // A second round of the same load must not need much more memory than the first did: growth
  // would be a leak (sessions, tokens or responses kept).
  if (rss.length > 1) {
    const growth = rss[rss.length - 1] - rss[0];
    assert.ok(growth < 16, `RSS grew by ${growth.toFixed(1)} MB between rounds: ${rss.map((r) => r.toFixed(1))}`);
  }
});
