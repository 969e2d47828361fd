// Start-up time to the first answered tools/list, and the size of that answer, for an MCP server
// started over stdio; then the official TypeScript SDK client's verdict on the same list (it
// validates every tool against the protocol's schema).
//
//   node toolslist.mjs <runs> -- <command> [args...]
// Prints one JSON object: {startup_ms: [..], median_startup_ms, bytes, tools, sdk_accepted}.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// The SDK is the end-to-end harness's (tests/e2e), so the bench needs no install of its own.
const sdk = createRequire(path.join(here, '..', '..', 'tests', 'e2e', 'package.json'));
const { Client } = await import(sdk.resolve('@modelcontextprotocol/sdk/client/index.js'));
const { StdioClientTransport } = await import(sdk.resolve('@modelcontextprotocol/sdk/client/stdio.js'));

const dash = process.argv.indexOf('--');
const runs = Number(process.argv[2] ?? 5);
const [command, ...args] = process.argv.slice(dash + 1);

function once() {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    // Chunks are kept as they come and joined once a line is complete: a 6 MB answer arrives in
    // hundreds of chunks, and re-scanning a growing string would time the bench, not the server.
    let chunks = [];
    child.stdout.on('data', (chunk) => {
      let start = 0;
      let newline;
      while ((newline = chunk.indexOf(10, start)) >= 0) {
        chunks.push(chunk.subarray(start, newline));
        const line = Buffer.concat(chunks);
        chunks = [];
        start = newline + 1;
        const received = process.hrtime.bigint();
        const message = JSON.parse(line);
        if (message.id === 1) {
          child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
          child.stdin.write('{"jsonrpc":"2.0","id":2,"method":"tools/list"}\n');
        } else if (message.id === 2) {
          const ms = Number(received - started) / 1e6;
          child.kill('SIGTERM');
          resolve({ ms, bytes: line.length, tools: message.result.tools.length });
        }
      }
      if (start < chunk.length) chunks.push(chunk.subarray(start));
    });
    child.on('error', reject);
    child.stdin.write(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
      }) + '\n',
    );
  });
}

const results = [];
for (let i = 0; i < runs; i++) results.push(await once());
const startup = results.map((r) => Math.round(r.ms * 10) / 10).sort((a, b) => a - b);

let sdkAccepted;
try {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
  const { tools } = await client.listTools();
  sdkAccepted = tools.length === results[0].tools;
  await client.close();
} catch (err) {
  sdkAccepted = `rejected: ${String(err).slice(0, 300)}`;
}
// A rejected list leaves the client's transport open.
console.log(
  JSON.stringify({
    startup_ms: startup,
    median_startup_ms: startup[Math.floor(startup.length / 2)],
    bytes: results[0].bytes,
    tools: results[0].tools,
    sdk_accepted: sdkAccepted,
  }),
);
process.exit(0);
