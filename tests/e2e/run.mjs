// End-to-end scenarios: a generated server, driven by the official MCP TypeScript SDK client,
// calling a recording upstream on loopback.
//
//   node run.mjs <example> <server binary> <stdio|http|http-stateless>
//
// Exits non-zero with the failed assertion when the server misbehaves.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startUpstream, connect, text } from './harness.mjs';

const [example, bin, mode] = process.argv.slice(2);
if (!example || !bin || !mode) {
  console.error('usage: node run.mjs <example> <server binary> <stdio|http|http-stateless>');
  process.exit(2);
}

/** Calls a tool and returns the result together with the upstream requests it caused. */
async function call(ctx, name, args) {
  ctx.upstream.take();
  const result = await ctx.client.callTool({ name, arguments: args });
  return { result, requests: ctx.upstream.take() };
}

const scenarios = {
  async petstore(ctx) {
    const { tools } = await ctx.client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['listPets', 'createPet', 'getPet', 'updatePet', 'deletePet', 'uploadPetPhoto', 'listVisits'],
    );
    for (const tool of tools) {
      assert.ok(tool.description?.trim(), `${tool.name} has a description`);
      assert.equal(tool.inputSchema.type, 'object');
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    const list = byName.listPets;
    assert.equal(list.inputSchema.properties.limit.type, 'integer');
    assert.equal(list.inputSchema.properties.limit.maximum, 100);
    assert.deepEqual(list.inputSchema.properties.status.enum, ['available', 'pending', 'adopted']);
    assert.equal(list.annotations.readOnlyHint, true);
    assert.equal(byName.deletePet.annotations.destructiveHint, true);
    assert.deepEqual(byName.getPet.inputSchema.required, ['petId']);
    assert.equal(byName.getPet.outputSchema.type, 'object');
    assert.equal(list.outputSchema.properties.result.type, 'array');

    // A GET with query parameters in several styles and a header.
    let { result, requests } = await call(ctx, 'listPets', {
      limit: 2,
      status: 'available',
      tags: ['a b', 'c'],
      'X-Request-ID': 'req-1',
    });
    assert.ok(!result.isError, text(result));
    assert.equal(requests.length, 1);
    assert.equal(requests[0].method, 'GET');
    assert.equal(requests[0].url, '/v1/pets?limit=2&status=available&tags=a%20b,c');
    assert.equal(requests[0].headers['x-request-id'], 'req-1');
    assert.equal(requests[0].headers.accept, 'application/json');
    assert.equal(requests[0].headers.authorization, 'Bearer petstore-token', 'the configured upstream credential');
    assert.equal(result.structuredContent.result.length, 2, 'an array answer is wrapped under `result`');

    // A GET with a path parameter; the answer is the caller's own.
    ({ result, requests } = await call(ctx, 'getPet', { petId: 42 }));
    assert.ok(!result.isError, text(result));
    assert.equal(requests[0].url, '/v1/pets/42');
    assert.equal(result.structuredContent.id, 42);

    // An upstream 404 comes back as a tool error with the status.
    ({ result } = await call(ctx, 'getPet', { petId: 404 }));
    assert.equal(result.isError, true);
    assert.match(text(result), /404/);
    assert.match(text(result), /no such pet/);

    // A POST with a JSON body, nulls and nested objects kept as the caller wrote them.
    const pet = { name: 'Rex', tags: ['x'], birthday: null, parent: { name: 'Old Rex' }, colour: 'brown' };
    ({ result, requests } = await call(ctx, 'createPet', { body: pet }));
    assert.ok(!result.isError, text(result));
    assert.equal(requests[0].method, 'POST');
    assert.equal(requests[0].url, '/v1/pets');
    assert.match(requests[0].headers['content-type'], /^application\/json/);
    assert.deepEqual(JSON.parse(requests[0].body), pet);
    assert.equal(result.structuredContent.id, 7);

    // Bad arguments are tool errors naming the field, and never reach the upstream.
    ({ result, requests } = await call(ctx, 'listPets', { limit: 1000 }));
    assert.equal(result.isError, true);
    assert.match(text(result), /limit/);
    assert.equal(requests.length, 0);
    ({ result, requests } = await call(ctx, 'getPet', { petId: 'abc' }));
    assert.equal(result.isError, true);
    assert.match(text(result), /petId/);
    assert.equal(requests.length, 0);
    ({ result, requests } = await call(ctx, 'createPet', { body: { tags: [] } }));
    assert.equal(result.isError, true);
    assert.match(text(result), /name/);
    assert.equal(requests.length, 0);
    ({ result, requests } = await call(ctx, 'getPet', { petId: 1, extra: true }));
    assert.equal(result.isError, true);
    assert.match(text(result), /extra/);
    assert.equal(requests.length, 0);

    // A multipart upload: a file part from base64, a text part…
    ({ result, requests } = await call(ctx, 'uploadPetPhoto', {
      petId: 1,
      body: { photo: Buffer.from('hello').toString('base64'), caption: 'cute' },
    }));
    assert.ok(!result.isError, text(result));
    const type = requests[0].headers['content-type'];
    assert.match(type, /^multipart\/form-data; boundary=/);
    const boundary = type.split('boundary=')[1];
    assert.ok(requests[0].body.includes(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="photo"\r\nContent-Type: application/octet-stream\r\n\r\nhello\r\n`), requests[0].body);
    assert.ok(requests[0].body.includes('name="caption"\r\n\r\ncute\r\n'), requests[0].body);
    // …a file from a directory the operator allows, and none from anywhere else.
    ({ result, requests } = await call(ctx, 'uploadPetPhoto', { petId: 1, body: { photo: { path: 'pic.png' } } }));
    assert.ok(!result.isError, text(result));
    assert.ok(requests[0].body.includes('filename="pic.png"') && requests[0].body.includes('png-bytes'), requests[0].body);
    ({ result, requests } = await call(ctx, 'uploadPetPhoto', { petId: 1, body: { photo: { path: '../secret.txt' } } }));
    assert.equal(result.isError, true);
    assert.match(text(result), /outside/);
    assert.equal(requests.length, 0);

    // Cookies, and an object answer with a nullable field.
    ({ result, requests } = await call(ctx, 'listVisits', { petId: 5, clinic: 'north side', since: '2024-01-01' }));
    assert.ok(!result.isError, text(result));
    assert.equal(requests[0].url, '/v1/pets/5/visits?since=2024-01-01');
    assert.equal(requests[0].headers.cookie, 'clinic=north%20side');
    assert.equal(result.structuredContent.next, null);

    // A DELETE answered with 204 and no body.
    ({ result, requests } = await call(ctx, 'deletePet', { petId: 3 }));
    assert.ok(!result.isError, text(result));
    assert.equal(requests[0].method, 'DELETE');
    assert.match(text(result), /204/);

    // An answer that does not match the declared schema is not passed off as structured output.
    ({ result } = await call(ctx, 'getPet', { petId: 500 }));
    assert.equal(result.isError, true);
    assert.match(text(result), /schema/i);

    if (ctx.newClient) await concurrentClients(ctx);
  },

  async 'bookshop-swagger2'(ctx) {
    const { tools } = await ctx.client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ['listBooks', 'addBook', 'getBook', 'removeBook', 'listAuthorBooks']);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    assert.equal(byName.listBooks.inputSchema.properties.limit.type, 'integer');
    assert.deepEqual(byName.addBook.inputSchema.required, ['book']);

    // Swagger 2.0: host + basePath, csv collection format, body parameter.
    let { result, requests } = await call(ctx, 'listBooks', { author: 'Le Guin', tags: ['sf', 'classic'] });
    assert.ok(!result.isError, text(result));
    assert.equal(requests[0].url, '/api/books?author=Le%20Guin&tags=sf,classic');
    assert.equal(requests[0].headers['x-api-key'], 'bookshop-key', 'the API key from API_KEY_API_KEY');
    const book = { isbn: '9780441478125', title: 'The Left Hand of Darkness', subtitle: null };
    ({ result, requests } = await call(ctx, 'addBook', { book }));
    assert.ok(!result.isError, text(result));
    assert.equal(requests[0].method, 'POST');
    assert.deepEqual(JSON.parse(requests[0].body), book);

    // Path values cannot change the target path.
    ({ result, requests } = await call(ctx, 'getBook', { isbn: '../admin?x=1#y', 'X-Locale': 'en-GB' }));
    assert.equal(requests[0].url, '/api/books/..%2Fadmin%3Fx%3D1%23y');
    assert.equal(requests[0].headers['x-locale'], 'en-GB');
    // Already-encoded separators stay data, and an absolute URL is just a path segment.
    ({ result, requests } = await call(ctx, 'getBook', { isbn: '%2F..%2Fadmin' }));
    assert.equal(requests[0].url, '/api/books/%252F..%252Fadmin');
    ({ result, requests } = await call(ctx, 'getBook', { isbn: 'http://evil.example/x' }));
    assert.equal(requests[0].url, '/api/books/http%3A%2F%2Fevil.example%2Fx');
    assert.equal(requests[0].headers.host, new URL(ctx.upstream.url).host, 'the target host never changes');
    // Query values cannot add parameters or a fragment.
    ({ result, requests } = await call(ctx, 'listBooks', { author: 'x&admin=true#frag' }));
    assert.equal(requests[0].url, '/api/books?author=x%26admin%3Dtrue%23frag');
    ({ result, requests } = await call(ctx, 'getBook', { isbn: '..' }));
    assert.equal(result.isError, true);
    assert.equal(requests.length, 0);
    ({ result, requests } = await call(ctx, 'getBook', { isbn: '1', 'X-Locale': 'en\r\nX-Evil: 1' }));
    assert.equal(result.isError, true);
    assert.equal(requests.length, 0);

    ({ result, requests } = await call(ctx, 'listAuthorBooks', { authorId: 9, sort: 'year' }));
    assert.ok(!result.isError, text(result));
    assert.equal(requests[0].url, '/api/authors/9/books?sort=year');
    ({ result } = await call(ctx, 'listAuthorBooks', { authorId: 9, sort: 'price' }));
    assert.equal(result.isError, true);
    assert.match(text(result), /sort/);
  },

  async 'tasks-openapi31'(ctx) {
    const { tools } = await ctx.client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ['listTasks', 'createTask', 'getTask', 'updateTask', 'deleteTask', 'addProjectTask']);
    // Generated with flat bodies (examples/tasks-openapi31/mcpwright.toml): createTask's input
    // schema is NewTask itself, its 2020-12 keywords at the root.
    const create = tools.find((t) => t.name === 'createTask').inputSchema;
    assert.equal(create.properties.body, undefined, 'the body is flat');
    assert.deepEqual(create.properties.notes.type, ['string', 'null'], 'OpenAPI 3.1 type arrays survive');
    assert.deepEqual(create.properties.kind, { const: 'task' }, 'const survives');
    assert.deepEqual(create.dependentRequired, { due: ['priority'] });
    assert.deepEqual(create.then, { required: ['due'] });
    assert.equal(create.additionalProperties, false);
    // addProjectTask's `title` parameter shares its name with a task's title: its body stays nested.
    const nested = tools.find((t) => t.name === 'addProjectTask').inputSchema;
    assert.deepEqual(nested.required, ['title', 'body']);

    let { result, requests } = await call(ctx, 'listTasks', { done: false, minPriority: 1 });
    assert.ok(!result.isError, text(result));
    assert.equal(requests[0].url, '/v1/tasks?done=false&minPriority=1');
    ({ result } = await call(ctx, 'listTasks', { minPriority: 0 }));
    assert.equal(result.isError, true, 'exclusiveMinimum is enforced');

    const task = { title: 'Water the plants', notes: null, priority: 5, due: '2026-12-24', kind: 'task' };
    ({ result, requests } = await call(ctx, 'createTask', task));
    assert.ok(!result.isError, text(result));
    assert.deepEqual(JSON.parse(requests[0].body), task);
    assert.equal(result.structuredContent.done, false);
    const flatBytes = requests[0].body;
    // The same task as one `body` argument sends the same bytes upstream.
    ({ result, requests } = await call(ctx, 'addProjectTask', { title: 'Garden', body: task }));
    assert.ok(!result.isError, text(result));
    assert.equal(requests[0].url, '/v1/projects/Garden/tasks');
    assert.equal(requests[0].body, flatBytes, 'a flat body is sent as the nested one is');

    // JSON Schema 2020-12 keywords of a 3.1 spec survive into the tool and are enforced, at the
    // root of a flat body's input as inside a nested one.
    const refused = async (tool, args, why) => {
      const { result, requests } = await call(ctx, tool, args);
      assert.equal(result.isError, true, why);
      assert.match(text(result), /invalid argument/, why);
      assert.equal(requests.length, 0, `${why}: nothing is sent upstream`);
    };
    await refused('createTask', { title: 'x', kind: 'chore' }, 'const is enforced');
    await refused('createTask', { title: 'x', due: '2026-12-24' }, 'dependentRequired is enforced');
    await refused('createTask', { title: 'x', priority: 5 }, 'if/then is enforced');
    await refused('createTask', { title: 'x', colour: 'red' }, 'unknown arguments are refused');
    await refused('addProjectTask', { title: 'Garden', body: { title: 'x', priority: 5 } }, 'if/then is enforced in a nested body');
    ({ result } = await call(ctx, 'createTask', { title: 'x', priority: 5, due: '2026-12-24' }));
    assert.ok(!result.isError, text(result));

    ({ result, requests } = await call(ctx, 'updateTask', { taskId: 'a1', title: 'y' }));
    assert.ok(!result.isError, text(result));
    assert.equal(requests[0].method, 'PATCH');
    assert.equal(requests[0].url, '/v1/tasks/a1');
    assert.equal(requests[0].body, '{"title":"y"}', 'the path parameter is not part of the body');
  },
};

/** Several clients at once, each checking that every answer is its own. */
async function concurrentClients(ctx) {
  const clients = await Promise.all(Array.from({ length: 8 }, () => ctx.newClient()));
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < 10; i++) {
        const petId = 1000 + c * 100 + i;
        const result = await client.callTool({ name: 'getPet', arguments: { petId } });
        assert.ok(!result.isError, text(result));
        assert.equal(result.structuredContent.id, petId);
      }
    }),
  );
  await Promise.all(clients.map((c) => c.close()));
}

/** Upstream answers for each example. */
const upstreams = {
  petstore: ({ method, url, body }) => {
    const path = url.split('?')[0];
    const pet = (id) => ({ id, name: `pet ${id}`, status: 'available', tags: [] });
    if (method === 'GET' && path === '/v1/pets') return { json: [pet(1), pet(2)] };
    if (method === 'POST' && path === '/v1/pets') return { status: 201, json: { ...JSON.parse(body), id: 7 } };
    let m = path.match(/^\/v1\/pets\/(\d+)$/);
    if (m && method === 'GET') {
      if (m[1] === '404') return { status: 404, json: { code: 404, message: 'no such pet' } };
      if (m[1] === '500') return { json: { id: 'not-a-number' } };
      return { json: pet(Number(m[1])) };
    }
    if (m && method === 'DELETE') return { status: 204 };
    if (method === 'POST' && /^\/v1\/pets\/\d+\/photo$/.test(path)) return { status: 201, json: { bytes: body.length } };
    m = path.match(/^\/v1\/pets\/(\d+)\/visits$/);
    if (m) return { json: { items: [{ date: '2024-02-01', reason: 'check-up' }], next: null } };
    return undefined;
  },
  'bookshop-swagger2': ({ method, url, body }) => {
    const path = url.split('?')[0];
    if (method === 'GET' && (path === '/api/books' || path.endsWith('/books'))) return { json: [] };
    if (method === 'POST' && path === '/api/books') return { status: 201, json: JSON.parse(body) };
    if (path.startsWith('/api/books/')) return { json: { isbn: '9780441478125', title: 'x' } };
    return undefined;
  },
  'tasks-openapi31': ({ method, url, body }) => {
    const path = url.split('?')[0];
    const task = (extra) => ({ id: '6f1c2a3e-1111-4222-8333-444455556666', title: 't', done: false, ...extra });
    if (method === 'GET' && path === '/v1/tasks') return { json: [task({})] };
    if (method === 'POST' && (path === '/v1/tasks' || /^\/v1\/projects\/[^/]+\/tasks$/.test(path))) {
      return { status: 201, json: task(JSON.parse(body)) };
    }
    if (path.startsWith('/v1/tasks/')) return { json: task({}) };
    return undefined;
  },
};

const basePaths = { petstore: '/v1', 'bookshop-swagger2': '/api', 'tasks-openapi31': '/v1' };

const scenario = scenarios[example];
if (!scenario) {
  console.error(`unknown example ${example}`);
  process.exit(2);
}
// A directory the server may upload files from, with a file outside it that it must not read.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwright-e2e-'));
fs.mkdirSync(path.join(scratch, 'uploads'));
fs.writeFileSync(path.join(scratch, 'uploads', 'pic.png'), 'png-bytes');
fs.writeFileSync(path.join(scratch, 'secret.txt'), 'secret');
const upstream = await startUpstream(upstreams[example]);
const server = await connect({
  bin,
  transport: mode === 'stdio' ? 'stdio' : 'http',
  stateless: mode === 'http-stateless',
  env: {
    MCP_UPSTREAM_URL: `${upstream.url}${basePaths[example]}`,
    MCP_LOG_LEVEL: 'info',
    // Upstream credentials for the examples' security schemes.
    PETSTORE_AUTH_BEARER_TOKEN: 'petstore-token',
    API_KEY_API_KEY: 'bookshop-key',
    MCP_FILE_ROOTS: path.join(scratch, 'uploads'),
  },
});
try {
  await scenario({ ...server, upstream });
  console.log(`ok: ${example} over ${mode}`);
} catch (err) {
  console.error(`FAILED: ${example} over ${mode}\n${err.stack ?? err}`);
  console.error(`--- server log ---\n${server.logs.join('')}`);
  process.exitCode = 1;
} finally {
  await server.close().catch(() => {});
  await upstream.close();
  fs.rmSync(scratch, { recursive: true, force: true });
}
