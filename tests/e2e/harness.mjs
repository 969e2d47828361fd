// The pieces every end-to-end scenario uses: a recording upstream API on loopback, a generated
// server started over stdio or streamable HTTP, and the official MCP TypeScript SDK client.

import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/**
 * A small real HTTP server that records every request and answers from `handler`
 * (`(req, body) => ({status, json?, text?, bytes?, headers?, delayMs?})`).
 */
export async function startUpstream(handler) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const record = { method: req.method, url: req.url, headers: req.headers, body };
      requests.push(record);
      let answer;
      try {
        answer = handler(record) ?? { status: 404, json: { message: 'no route' } };
      } catch (err) {
        answer = { status: 500, text: String(err) };
      }
      const headers = { ...(answer.headers ?? {}) };
      let payload = '';
      if (answer.json !== undefined) {
        headers['content-type'] ??= 'application/json';
        payload = JSON.stringify(answer.json);
      } else if (answer.text !== undefined) {
        headers['content-type'] ??= 'text/plain';
        payload = answer.text;
      } else if (answer.bytes !== undefined) {
        headers['content-type'] ??= 'application/octet-stream';
        payload = answer.bytes;
      }
      const send = () => {
        res.writeHead(answer.status ?? 200, headers);
        res.end(payload);
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** The requests recorded since the last call. */
    take() {
      return requests.splice(0, requests.length);
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Starts the generated server and connects the official SDK client to it. */
export async function connect({ bin, transport, env, stateless = false }) {
  const client = new Client({ name: 'mcpwright-e2e', version: '1.0.0' });
  if (transport === 'stdio') {
    const stdio = new StdioClientTransport({
      command: bin,
      args: ['serve', '--transport', 'stdio'],
      env: { ...process.env, ...env },
      stderr: 'pipe',
    });
    const logs = [];
    stdio.stderr?.on('data', (d) => logs.push(d.toString()));
    await client.connect(stdio);
    return { client, logs, url: null, close: () => client.close(), newClient: null };
  }
  const args = ['serve', '--transport', 'http', '--bind', '127.0.0.1:0', '--allow-unauthenticated'];
  if (stateless) args.push('--stateless');
  const { child, logs, url } = await spawnServer(bin, args, env);
  const open = async () => {
    const c = new Client({ name: 'mcpwright-e2e', version: '1.0.0' });
    await c.connect(new StreamableHTTPClientTransport(new URL(url)));
    return c;
  };
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return {
    client,
    logs,
    url,
    newClient: open,
    child,
    close: async () => {
      await client.close();
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', resolve)));
    },
  };
}

/**
 * Starts a generated server over HTTP with `args` and waits for its `listening on` line.
 * Returns the child, its log lines (stderr) and the MCP URL; `stop()` ends it with SIGTERM.
 */
export async function spawnServer(bin, args, env = {}) {
  const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs = [];
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join('')}`)), 15000);
    child.stderr.on('data', (d) => {
      logs.push(d.toString());
      const found = logs.join('').match(/listening on (http:\/\/\S+\/mcp)/);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logs.join('')}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    }
  };
  return { child, logs, url, stop };
}

/** A free TCP port on 127.0.0.1 (for servers whose URL must be known before they start). */
export async function freePort() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A process's resident memory in MB, now (`rss`) and at its peak (`peak`), from /proc. */
export function memoryMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** The text of a tool result's content. */
export function text(result) {
  return (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

/**
 * Starts nginx (the binary at `bin`) on a free loopback port with `http` as the body of its
 * `http {}` block, where `{port}` stands for that port. Returns `{ url, port, logs, stop }`.
 * Its files (config, pid, temp folders) live in a fresh temporary folder.
 */
export async function startNginx(bin, http, listenPort = undefined) {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = await mkdtemp(path.join(tmpdir(), 'mcpwright-nginx-'));
  // A port chosen beforehand when the URL must be known first (registered redirect URIs).
  const port = listenPort ?? (await freePort());
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `${name}_temp_path ${dir}/${name};`)
    .join('\n  ');
  const config = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${temp}
  ${http.replaceAll('{port}', String(port))}
}
`;
  await writeFile(path.join(dir, 'nginx.conf'), config);
  const child = spawn(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', 'stderr'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  child.stdout.on('data', (d) => logs.push(d.toString()));
  child.stderr.on('data', (d) => logs.push(d.toString()));
  // Ready when the port accepts connections.
  for (let waited = 0; ; waited += 50) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}:\n${logs.join('')}`);
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) break;
    if (waited > 10000) throw new Error(`nginx did not start:\n${logs.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    logs,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await new Promise((resolve) => child.on('exit', resolve));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
