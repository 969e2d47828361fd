// The stdio transport as a client process sees it: stdout carries JSON-RPC and nothing else,
// even with debug logging on; a line that is not JSON gets a parse error and the session goes on;
// the server exits cleanly (code 0) when stdin closes and on SIGTERM.
//
//   MCPWRIGHT_SERVER=<path to the petstore server binary> node --test stdio.test.mjs

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { startUpstream } from './harness.mjs';

const bin = process.env.MCPWRIGHT_SERVER;
if (!bin) throw new Error('set MCPWRIGHT_SERVER to the generated petstore server binary');

const SECRET = 'stdio-upstream-secret-7';
let upstream;

before(async () => {
  upstream = await startUpstream(() => ({ json: [{ id: 1, name: 'Rex', status: 'available' }] }));
});

after(async () => {
  await upstream?.close();
});

/** Starts the server on stdio; `send` writes a line, `next` waits for the answer with an id. */
function start() {
  const child = spawn(bin, ['serve', '--transport', 'stdio'], {
    env: {
      ...process.env,
      MCP_UPSTREAM_URL: `${upstream.url}/v1`,
      MCP_LOG_LEVEL: 'debug',
      PETSTORE_AUTH_BEARER_TOKEN: SECRET,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines = [];
  const waiting = [];
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk.toString('utf8');
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      for (const w of waiting.splice(0)) w();
    }
  });
  let logs = '';
  child.stderr.on('data', (chunk) => (logs += chunk.toString('utf8')));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const send = (line) => child.stdin.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
  /** The first stdout message matching `pred`, within 5 s. */
  const next = async (pred) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = lines.map((l) => JSON.parse(l)).find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching answer; stdout:\n${lines.join('\n')}\nlogs:\n${logs}`);
      await new Promise((resolve) => {
        waiting.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  const initialize = async () => {
    send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    await next((m) => m.id === 0);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  };
  return { child, lines, send, next, initialize, exited, logs: () => logs, buffered: () => buffered };
}

/** Resolves with the exit, or fails after `ms`. */
async function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

test('stdout is JSON-RPC only; bad lines get errors; EOF ends the server with code 0', async () => {
  const s = start();
  await s.initialize();
  s.send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  s.send('{not json');
  s.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'listPets', arguments: { limit: 1 } } });
  s.send({ jsonrpc: '2.0', id: 3, method: 'no/such/method' });
  s.send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } });

  const list = await s.next((m) => m.id === 1);
  assert.ok(list.result.tools.some((t) => t.name === 'listPets'));
  const parseError = await s.next((m) => m.error?.code === -32700);
  assert.equal(parseError.id, null);
  const call = await s.next((m) => m.id === 2);
  assert.equal(call.result.isError ?? false, false, JSON.stringify(call));
  assert.equal((await s.next((m) => m.id === 3)).error.code, -32601);
  assert.ok((await s.next((m) => m.id === 4)).error, 'an unknown tool is an error');

  s.child.stdin.end();
  const { code } = await within(s.exited, 5000, 'exit after EOF');
  assert.equal(code, 0, s.logs());
  assert.equal(s.buffered(), '', 'no partial line left on stdout');
  for (const line of s.lines) {
    const message = JSON.parse(line); // throws on anything that is not JSON
    assert.equal(message.jsonrpc, '2.0', line);
  }
  assert.match(s.logs(), /DEBUG|INFO/, 'the logs went to stderr');
  assert.ok(!s.logs().includes(SECRET) && !s.lines.join('').includes(SECRET), 'the secret never shows');
  assert.equal(upstream.take().at(-1).headers.authorization, `Bearer ${SECRET}`);
});

test('SIGTERM ends the server with code 0', async () => {
  const s = start();
  await s.initialize();
  s.child.kill('SIGTERM');
  const { code, signal } = await within(s.exited, 5000, 'exit after SIGTERM');
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, s.logs());
});
