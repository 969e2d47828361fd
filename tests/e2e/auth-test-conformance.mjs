// The official MCP conformance suite's client scenarios (@modelcontextprotocol/conformance, on
// Node 22 from the npm package `node`) with `mcpwright auth test --headless` as the client under
// test (auth-test-client.mjs). For each requirement set (2025-11-25, 2026-07-28) the suite runs
// exactly the client scenarios that revision requires against its own scenario servers and
// authorization servers, with the expected failures in
// tests/fixtures/auth-test/expected-failures/<revision>.yml (each entry with its reason). The
// suite fails a run on a new failure and on a listed scenario that passes; this script also
// fails one whose baseline lists a scenario the set does not score, so no entry goes stale
// unnoticed. The extension scenarios the sets run unscored are reported, not judged.
//
// Usage: node auth-test-conformance.mjs <mcpwright binary> <expected-failures-dir> <results-dir> <revision> [<scenario>]
// With a scenario, only that one runs (at the revision's wire, against the same baseline).

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const [bin, baselines, results, revision, scenario] = process.argv.slice(2);
if (!bin || !baselines || !results || !revision) {
  console.error(
    'usage: node auth-test-conformance.mjs <mcpwright binary> <expected-failures-dir> <results-dir> <revision> [<scenario>]',
  );
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const node22 = path.join(here, 'node_modules', 'node', 'bin', 'node');
const suite = path.join(here, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const client = `${node22} ${path.join(here, 'auth-test-client.mjs')} ${bin}`;

/** The client scenarios `revision`'s requirement set scores. */
function required() {
  const listing = execFileSync(node22, [suite, 'list', '--client', '--requirements', revision], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const scored = listing.split('Client scenarios')[1].split(/\n\S/)[0];
  return [...scored.matchAll(/^\s+- (\S+)$/gm)].map((m) => m[1]);
}

/** The scenario of every entry in a baseline file (`- scenario` or `- scenario:check-id`). */
function entries(file) {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*-\s+['"]?([^\s:'"#]+)/gm)].map((m) => m[1]);
}

const baseline = path.join(baselines, `${revision}.yml`);
if (!existsSync(baseline)) {
  console.error(`${revision}: no baseline at ${baseline}`);
  process.exit(1);
}
const scored = required();
if (!scored.some((name) => name.startsWith('auth/'))) {
  console.error(`${revision}: the set scores no auth/* client scenario: ${scored.join(', ')}`);
  process.exit(1);
}
const listed = entries(baseline);
const strays = listed.filter((name) => !scored.includes(name));
if (strays.length > 0) {
  console.error(`${revision}: ${baseline} lists scenarios this set does not score: ${strays.join(', ')}`);
  process.exit(1);
}
const auth = listed.filter((name) => name.startsWith('auth/'));
if (auth.length > 0) {
  console.error(`${revision}: ${baseline} lists auth scenarios, which must all pass: ${auth.join(', ')}`);
  process.exit(1);
}

const which = scenario ? ['--scenario', scenario, '--spec-version', revision] : ['--requirements', revision];
console.log(`\n##### auth test ${revision}: ${which.join(' ')} #####\n`);
const code = await new Promise((resolve) => {
  const child = spawn(
    node22,
    [suite, 'client', '--command', client, ...which, '--expected-failures', baseline, '-o', path.join(results, revision)],
    { stdio: 'inherit', env: { ...process.env, NO_COLOR: '1' } },
  );
  child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
});
if (code !== 0) {
  console.error(`\nauth test conformance ${revision} failed`);
  process.exit(1);
}
console.log(`\nauth test conformance ${revision}: every failure is expected`);
