// Serving, side by side: a generated mcpwright server (the petstore example, release build) and
// @ivotoby/openapi-mcp-server (pinned in benches/peers) in front of the same fast real upstream:
// nginx from Debian's package answering `GET /v1/pets/{id}` with a small JSON document.
// The load comes from benches/loadgen (Rust, on rmcp's client): every call checks that its answer
// carries its own id.
//
//   node benches/serve/run.mjs --ours <petstore-mcp> --github <github-mcp> --loadgen <mcpwright-loadgen>
//        [--nginx <nginx>] [--calls 4000] [--out results.json]
//
// Measures, per server: CPU time per call (from /proc/<pid>/stat), latency p50/p99 over stdio and
// streamable HTTP against a direct HTTP request to the upstream with the same client machinery,
// throughput at 1, 8 and 64 sessions, resident memory idle and under load, start-up time to the
// first answered tools/list and its size (petstore and GitHub). Ours also with JWT validation on.

import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const harness = await import(path.join(repo, 'tests', 'e2e', 'harness.mjs'));
const idpModule = await import(path.join(repo, 'tests', 'e2e', 'idp.mjs'));
const run = promisify(execFile);

const options = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const ours = options.ours;
const github = options.github;
const loadgen = options.loadgen;
const totalCalls = Number(options.calls ?? 4000);
const nginxBin = options.nginx ?? path.join(repo, 'target', 'tools', 'nginx', 'root', 'usr', 'sbin', 'nginx');
const peerBin = path.join(repo, 'benches', 'peers', 'node_modules', '.bin', 'openapi-mcp-server');
const petstoreSpec = path.join(repo, 'examples', 'petstore', 'openapi.yaml');
const githubSpec = path.join(repo, '..', 'shared', 'specs', 'github.com__api.github.com.json');
for (const [what, file] of [['--ours', ours], ['--loadgen', loadgen], ['nginx (run the scale-out test once, or pass --nginx)', nginxBin], ['benches/peers (npm ci)', peerBin]]) {
  if (!file || !existsSync(file)) throw new Error(`missing ${what}: ${file}`);
}

// The petstore's operations need an upstream credential; every child (servers, and the stdio
// servers the load generator starts) inherits it.
process.env.PETSTORE_AUTH_BEARER_TOKEN = 'upstream-token';

const TICKS = 100; // USER_HZ
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime
}
/** Runs the load generator; its figures, also when some answers were wrong (recorded, not fatal:
 * a peer that crosses answers under concurrency is a finding). */
async function load(args) {
  let stdout;
  try {
    ({ stdout } = await run(loadgen, [...args, '--json'], { maxBuffer: 1 << 20 }));
  } catch (err) {
    if (!err.stdout?.trim()) throw new Error(`loadgen ${args.join(' ')} failed:\n${err.stderr}`);
    stdout = err.stdout;
  }
  return JSON.parse(stdout.trim().split('\n').pop());
}

/** Starts an HTTP server process and waits until `ready` answers. */
async function startHttp(command, args, env, url) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const logs = [];
  child.stderr.on('data', (d) => logs.push(d.toString()));
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} exited:\n${logs.join('')}`);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'ping' }),
      });
      await response.arrayBuffer();
      break;
    } catch {
      if (Date.now() - started > 30000) throw new Error(`${command} did not start:\n${logs.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return {
    child,
    logs,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', resolve)));
    },
  };
}


const upstream = await harness.startNginx(
  nginxBin,
  `server {
    listen 127.0.0.1:{port};
    keepalive_requests 1000000;
    location ~ ^/v1/pets/(\\d+)$ { default_type application/json; return 200 '{"id":$1,"name":"pet $1"}'; }
  }`,
);
const results = { date: new Date().toISOString(), calls: totalCalls, servers: {} };

try {
  const direct = await load(['direct', '--url-template', `${upstream.url}/v1/pets/{i}`, '--sessions', '1', '--calls', String(totalCalls)]);
  results.direct = direct;
  console.error(`direct: p50 ${direct.p50_us} µs, p99 ${direct.p99_us} µs, ${Math.round(direct.calls_per_s)} calls/s`);

  const servers = {
    mcpwright: {
      tool: 'getPet',
      http: async (port, extra = []) =>
        startHttp(ours, ['serve', '--transport', 'http', '--bind', `127.0.0.1:${port}`, ...extra], { MCP_UPSTREAM_URL: `${upstream.url}/v1`, MCP_LOG_LEVEL: 'warn' }, `http://127.0.0.1:${port}/mcp`),
      httpArgs: ['--allow-unauthenticated'],
      stdio: `${ours} serve --transport stdio --upstream-url ${upstream.url}/v1`,
      startup: (spec) => (spec === 'github' ? [github, 'serve', '--transport', 'stdio', '--upstream-url', `${upstream.url}/v1`] : [ours, 'serve', '--transport', 'stdio', '--upstream-url', `${upstream.url}/v1`]),
    },
    'openapi-mcp-server': {
      tool: 'get-pet',
      http: async (port) =>
        startHttp(peerBin, ['--transport', 'http', '--host', '127.0.0.1', '--port', String(port), '--path', '/mcp', '--api-base-url', `${upstream.url}/v1`, '--openapi-spec', petstoreSpec], {}, `http://127.0.0.1:${port}/mcp`),
      httpArgs: [],
      stdio: `${peerBin} --transport stdio --api-base-url ${upstream.url}/v1 --openapi-spec ${petstoreSpec}`,
      startup: (spec) => [peerBin, '--transport', 'stdio', '--api-base-url', `${upstream.url}/v1`, '--openapi-spec', spec === 'github' ? githubSpec : petstoreSpec],
    },
  };

  for (const [name, server] of Object.entries(servers)) {
    const result = {};
    results.servers[name] = result;
    const port = await harness.freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const running = await server.http(port, server.httpArgs);
    await new Promise((resolve) => setTimeout(resolve, 500));
    result.idle_rss_mb = harness.memoryMb(running.child.pid).rss;
    result.http = {};
    for (const sessions of [1, 8, 64]) {
      const calls = Math.max(50, Math.round(totalCalls / sessions));
      const before = cpuSeconds(running.child.pid);
      const measured = await load(['mcp', '--url', url, '--sessions', String(sessions), '--calls', String(calls), '--tool', server.tool]);
      const cpu = cpuSeconds(running.child.pid) - before;
      measured.cpu_ms_per_call = (cpu * 1000) / measured.calls;
      result.http[sessions] = measured;
      console.error(`${name} http ×${sessions}: ${Math.round(measured.calls_per_s)} calls/s, p50 ${measured.p50_us} µs, p99 ${measured.p99_us} µs, cpu ${measured.cpu_ms_per_call.toFixed(3)} ms/call, errors ${measured.errors}, mismatches ${measured.mismatches}`);
    }
    result.load_rss_mb = harness.memoryMb(running.child.pid).peak;
    await running.stop();

    result.stdio = await load(['mcp', '--stdio', server.stdio, '--sessions', '1', '--calls', String(totalCalls), '--tool', server.tool]);
    console.error(`${name} stdio: p50 ${result.stdio.p50_us} µs, p99 ${result.stdio.p99_us} µs`);

    result.startup = {};
    for (const spec of ['petstore', 'github']) {
      const command = server.startup(spec);
      if (spec === 'github' && (!command[0] || !existsSync(command[0]) || !existsSync(githubSpec))) continue;
      const { stdout } = await run('node', [path.join(here, 'toolslist.mjs'), '5', '--', ...command], { maxBuffer: 1 << 20, timeout: 300000 });
      result.startup[spec] = JSON.parse(stdout.trim());
      console.error(`${name} ${spec}: start-up ${result.startup[spec].median_startup_ms} ms, tools/list ${result.startup[spec].bytes} bytes, SDK: ${result.startup[spec].sdk_accepted}`);
      if (spec === 'github' && name === 'mcpwright') {
        const compact = await run('node', [path.join(here, 'toolslist.mjs'), '3', '--', ...command, '--compact-tools'], { maxBuffer: 1 << 20, timeout: 300000 });
        result.startup.github_compact = JSON.parse(compact.stdout.trim());
        console.error(`${name} github --compact-tools: tools/list ${result.startup.github_compact.bytes} bytes`);
      }
    }
  }

  // Ours with OAuth on: every call's JWT checked against the IdP's keys (cached).
  {
    const port = await harness.freePort();
    const resource = `http://127.0.0.1:${port}/mcp`;
    const idp = await idpModule.startIdp({ resource, scopes: ['pets:read'] });
    const running = await servers.mcpwright.http(port, ['--issuer', idp.issuer]);
    try {
      const token = await idpModule.mintToken(idp.keys, idpModule.accessTokenClaims(idp, { scope: 'pets:read' }));
      const jwt = {};
      for (const sessions of [1, 64]) {
        const calls = Math.max(50, Math.round(totalCalls / sessions));
        const before = cpuSeconds(running.child.pid);
        const measured = await load(['mcp', '--url', resource, '--token', token, '--sessions', String(sessions), '--calls', String(calls)]);
        measured.cpu_ms_per_call = ((cpuSeconds(running.child.pid) - before) * 1000) / measured.calls;
        jwt[sessions] = measured;
        console.error(`mcpwright http+jwt ×${sessions}: ${Math.round(measured.calls_per_s)} calls/s, p50 ${measured.p50_us} µs, p99 ${measured.p99_us} µs, cpu ${measured.cpu_ms_per_call.toFixed(3)} ms/call`);
      }
      results.servers.mcpwright.http_jwt = jwt;
      results.servers.mcpwright.jwt_load_rss_mb = harness.memoryMb(running.child.pid).peak;
    } finally {
      await running.stop();
      await idp.close();
    }
  }
} finally {
  await upstream.stop();
}

const out = options.out ?? path.join(here, 'results.json');
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
console.error(`results written to ${out}`);
