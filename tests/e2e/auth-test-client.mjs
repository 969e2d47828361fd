#!/usr/bin/env node
// The client under test of the conformance suite's client scenarios: `mcpwright auth test
// --headless` against the scenario's server (the suite appends its URL as the last argument).
//
//   node auth-test-client.mjs <mcpwright binary> <server URL>
//
// It translates only what the harness hands every client the same way, never picking
// behaviour by scenario (MCP_CONFORMANCE_SCENARIO is not read):
// - MCP_CONFORMANCE_CONTEXT's `client_id` / `client_secret` (a pre-registered client) become
//   --client-id / --client-secret;
// - the suite's hosted Client ID Metadata Document is always offered with
//   --client-metadata-url (auth test uses it only where the authorization server accepts such
//   documents and no client id is given, as any client would);
// - every scenario server serves the one tool `test-tool`, which carries no annotations, so
//   --call names it (auth test's default, the first read-only tool, finds none).
import { spawnSync } from 'node:child_process';

const [bin, ...rest] = process.argv.slice(2);
const url = rest.at(-1);
if (!bin || !url) {
  console.error('usage: node auth-test-client.mjs <mcpwright binary> <server URL>');
  process.exit(2);
}
const SUITE_CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';
const SUITE_TOOL = 'test-tool';

let context = {};
try {
  context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');
} catch {
  context = {};
}
const args = ['auth', 'test', '--headless', '--client-metadata-url', SUITE_CLIENT_METADATA_URL];
if (typeof context.client_id === 'string') args.push('--client-id', context.client_id);
if (typeof context.client_secret === 'string') args.push('--client-secret', context.client_secret);
args.push('--call', SUITE_TOOL, '--args', '{}', url);

const run = spawnSync(bin, args, { stdio: 'inherit', timeout: 60_000 });
process.exit(run.status ?? 1);
