import { gzipSync, deflateSync, brotliCompressSync } from 'zlib';
import { Client } from 'pg';
import { getMetadataStorage } from 'class-validator';
import { CreateRemediationDto } from '../apps/api/src/remediations/dto/create-remediation.dto';
import { CreateApiKeyDto } from '../apps/api/src/admin/dto/create-api-key.dto';
import { expectErrorShape } from './hardening/support/error-shape';
import { Stack } from './support/stack';

/** Every property a DTO declares (so fields added later are covered too). */
const fieldsOf = (dto: Function): string[] => [...new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((m) => m.propertyName))];

/** Bad input gets a clear 4xx naming the field, and writes nothing (no worker needed). */
describe('API input validation', () => {
  let stack: Stack;
  let pg: Client;
  const good = { instanceId: 'i-0123456789abcdef0', region: 'eu-west-1', mode: 'diagnose' };

  beforeAll(async () => {
    stack = await Stack.start({ worker: 'none' });
    pg = new Client({ connectionString: stack.dbUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await stack.close();
  });

  const rowCount = async () => Number((await pg.query('SELECT count(*) AS n FROM remediations')).rows[0].n);

  const badBodies: [string, unknown, string][] = [
    ['unknown field', { ...good, rebootNow: true }, 'rebootNow'],
    ['missing instanceId', { region: 'eu-west-1' }, 'instanceId'],
    ['instanceId of the wrong type', { ...good, instanceId: 12345 }, 'instanceId'],
    ['instanceId with upper-case hex', { ...good, instanceId: 'i-0123456789ABCDEF0' }, 'instanceId'],
    ['instanceId too short', { ...good, instanceId: 'i-123' }, 'instanceId'],
    ['instanceId with SQL', { ...good, instanceId: "i-1'; DROP TABLE remediations;--" }, 'instanceId'],
    ['region malformed', { ...good, region: 'EU_WEST' }, 'region'],
    ['region missing', { instanceId: good.instanceId }, 'region'],
    ['mode not in the enum', { ...good, mode: 'repair' }, 'mode'],
    ['strategy not in the enum', { ...good, strategy: 'reset-grace-period' }, 'strategy'],
    ['source not in the enum', { ...good, source: 'email' }, 'source'],
    ['allowReboot as a string', { ...good, allowReboot: 'yes' }, 'allowReboot'],
    ['configure-licensing without server and mode', { ...good, mode: 'fix', strategy: 'configure-licensing' }, 'licenseServer'],
    ['configure-licensing without mode', { ...good, mode: 'fix', strategy: 'configure-licensing', licenseServer: 'ls01.corp.example.com' }, 'licensingMode'],
    ['license server with spaces', { ...good, strategy: 'configure-licensing', licenseServer: 'bad host!', licensingMode: 'per-user' }, 'licenseServer'],
    ['license server with a quote', { ...good, strategy: 'configure-licensing', licenseServer: "ls'; Remove-Item C:\\", licensingMode: 'per-user' }, 'licenseServer'],
    ['license server IP out of range', { ...good, strategy: 'configure-licensing', licenseServer: '300.1.1.1', licensingMode: 'per-user' }, 'licenseServer'],
    ['licensing mode unknown', { ...good, strategy: 'configure-licensing', licenseServer: 'ls01', licensingMode: 'per-cpu' }, 'licensingMode'],
    ['ticketRef too long', { ...good, ticketRef: 'T'.repeat(129) }, 'ticketRef'],
    ['ticketRef with markup', { ...good, ticketRef: '<script>' }, 'ticketRef'],
    ['a callback URL on port 0', { ...good, callbackUrl: 'https://hooks.example.com:0/rdpfix' }, 'callbackUrl'],
    ['__proto__ smuggling', '{"instanceId":"i-0123456789abcdef0","region":"eu-west-1","__proto__":{"admin":true}}', '__proto__'],
    ['__proto__ smuggling with a bad field', '{"instanceId":"nope","region":"eu-west-1","__proto__":{}}', '__proto__'],
  ];

  it.each(badBodies)('POST with %s -> 400 naming the field, nothing written', async (_name, body, field) => {
    const before = await rowCount();
    const res = await stack.http('POST', '/v1/remediations', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
    if (field) expect(res.body.fields.map((f: any) => f.field)).toContain(field);
    expectErrorShape(res.body, 400);
    // One message per field, never two.
    const named = res.body.fields.map((f: any) => f.field);
    expect(new Set(named).size).toBe(named.length);
    expect(await rowCount()).toBe(before);
  });

  it.each(fieldsOf(CreateRemediationDto))('POST with %s: null -> 400 naming it (null is never a value), nothing written', async (field) => {
    const before = await rowCount();
    const res = await stack.http('POST', '/v1/remediations', { ...good, [field]: null });
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 400);
    expect(res.body.fields).toEqual([{ field, message: `${field} must not be null; leave it out to use its default` }]);
    expect(await rowCount()).toBe(before);
  });

  it.each(fieldsOf(CreateApiKeyDto))('POST /v1/admin/keys with %s: null -> 400 naming it', async (field) => {
    const res = await stack.http('POST', '/v1/admin/keys', { name: 'n', role: 'support', [field]: null });
    expect(res.status).toBe(400);
    expect(res.body.fields.map((f: any) => f.field)).toEqual([field]);
  });

  it('a default callback URL on port 0 is refused for an API key too', async () => {
    const res = await stack.http('POST', '/v1/admin/keys', { name: 'hooks', role: 'support', defaultCallbackUrl: 'https://hooks.example.com:0/x' });
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual([{ field: 'defaultCallbackUrl', message: expect.stringMatching(/port/) }]);
  });

  it('an empty body names each missing field once', async () => {
    const res = await stack.http('POST', '/v1/remediations', {});
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 400);
    expect(res.body.fields).toEqual([
      { field: 'instanceId', message: 'instanceId is required' },
      { field: 'region', message: 'region is required' },
    ]);
  });

  it.each([
    ['2,500 levels of arrays', `{"instanceId":${'['.repeat(2500)}${']'.repeat(2500)}}`],
    ['2,500 levels of objects', `{"x":${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}}`],
    ['9 levels', `{"x":${'{"a":'.repeat(9)}1${'}'.repeat(9)}}`],
  ])('deeply nested JSON (%s) -> 400 naming the field, not a stack overflow', async (_n, raw) => {
    const res = await stack.http('POST', '/v1/remediations', raw);
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 400);
    expect(res.body.fields[0].field).toMatch(/^(instanceId|x)\./);
  });

  it.each([
    ['malformed JSON', 400, '{"instanceId": '],
    ['a JSON array', 400, '[1,2,3]'],
    ['JSON null', 400, 'null'],
    ['a JSON string', 400, '"hello"'],
    ['a constructor.prototype key', 400, '{"instanceId":"i-0123456789abcdef0","region":"eu-west-1","constructor":{"prototype":{"x":1}}}'],
  ])('POST with %s -> %d', async (_n, status, raw) => {
    const before = await rowCount();
    const res = await stack.http('POST', '/v1/remediations', raw);
    expect(res.status).toBe(status);
    expectErrorShape(res.body, status);
    expect(await rowCount()).toBe(before);
  });

  const raw = async (headers: Record<string, string>, body: Buffer | string, path = '/v1/remediations', method = 'POST') => {
    const res = await fetch(`${stack.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${stack.adminKey}`, ...headers }, body });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) };
  };

  it.each([
    ['gzip that is not gzip', 'gzip', Buffer.from(JSON.stringify(good)), 400, 'invalid_content_encoding'],
    ['deflate that is not deflate', 'deflate', Buffer.from('hello'), 400, 'invalid_content_encoding'],
    ['br that is not br', 'br', Buffer.from('hello'), 400, 'invalid_content_encoding'],
    ['br that is not br (another decoder error)', 'br', Buffer.from('{}'), 400, 'invalid_content_encoding'],
    ['truncated gzip', 'gzip', gzipSync(JSON.stringify(good)).subarray(0, 12), 400, 'invalid_content_encoding'],
    ['an unknown encoding', 'compress', Buffer.from('{}'), 415, 'unsupported_content_encoding'],
    ['two encodings', 'gzip, gzip', gzipSync(gzipSync('{}')), 415, 'unsupported_content_encoding'],
    ['a gzip bomb over the limit', 'gzip', gzipSync(JSON.stringify({ ...good, ticketRef: 'x'.repeat(1_000_000) })), 413, 'payload_too_large'],
  ])('Content-Encoding with %s is a 4xx in the one shape, nothing written', async (_n, encoding, body, status, error) => {
    const before = await rowCount();
    const res = await raw({ 'content-type': 'application/json', 'content-encoding': encoding }, body);
    expect(res.status).toBe(status);
    expectErrorShape(res.body, status);
    expect(res.body.error).toBe(error);
    expect(await rowCount()).toBe(before);
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('a real %s body is read (and validated like any other)', async (encoding, compress) => {
    const res = await raw({ 'content-type': 'application/json', 'content-encoding': encoding }, compress(JSON.stringify({ ...good, mode: 'bogus' })));
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual([expect.objectContaining({ field: 'mode' })]);
  });

  it.each([
    ['text/plain', JSON.stringify(good)],
    ['application/x-www-form-urlencoded', 'instanceId=i-0123456789abcdef0&region=eu-west-1'],
    ['multipart/form-data; boundary=x', '--x\r\n\r\n--x--'],
    ['application/xml', '<a/>'],
  ])('a %s body -> 415 in the one shape, nothing written', async (type, body) => {
    const before = await rowCount();
    const res = await raw({ 'content-type': type }, body);
    expect(res.status).toBe(415);
    expectErrorShape(res.body, 415);
    expect(await rowCount()).toBe(before);
  });

  it('a JSON body with a charset other than UTF-8 -> 415', async () => {
    const res = await raw({ 'content-type': 'application/json; charset=latin1' }, JSON.stringify(good));
    expect(res.status).toBe(415);
    expect(res.body.error).toBe('unsupported_charset');
  });

  it('actions that take no body refuse one with fields (400 naming them)', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const action of ['cancel', 'approve', 'rollback']) {
      const res = await stack.http('POST', `/v1/remediations/${id}/${action}`, { force: true });
      expect({ action, status: res.status }).toEqual({ action, status: 400 });
      expect(res.body.fields).toEqual([{ field: 'force', message: 'unknown field "force"' }]);
    }
  });

  it.each([
    ['GET', '/nope'],
    ['POST', '/v1/remediation'],
    ['DELETE', '/v1/remediations'],
    ['PUT', '/v1/admin/keys'],
    ['GET', '/v1/remediations/00000000-0000-4000-8000-000000000000/nope'],
  ])('an unknown route (%s %s) -> 404 in the one shape', async (method, path) => {
    const res = await stack.http(method, path);
    expect(res.status).toBe(404);
    expectErrorShape(res.body, 404);
    expect(res.body.error).toBe('not_found');
  });

  it('malformed HTTP (a NUL byte in a header) -> 400 in the one shape, from Node\'s parser', async () => {
    const net = await import('net');
    const u = new URL(stack.apiUrl);
    const text = await new Promise<string>((resolve, reject) => {
      const s = net.connect(Number(u.port), u.hostname, () => s.end('GET /v1/remediations HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\nConnection: close\r\n\r\n'));
      const chunks: Buffer[] = [];
      s.on('data', (c) => chunks.push(c));
      s.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      s.on('error', reject);
    });
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expectErrorShape(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)), 400);
  });

  it('an oversized body -> 413', async () => {
    const res = await stack.http('POST', '/v1/remediations', { ...good, ticketRef: 'x'.repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
    expectErrorShape(res.body, 413);
  });

  it.each([
    ['/v1/remediations/not-a-uuid', 400],
    ['/v1/remediations/00000000-0000-4000-8000-000000000000', 404],
    ['/v1/remediations?limit=0', 400],
    ['/v1/remediations?limit=1000', 400],
    ['/v1/remediations?limit=abc', 400],
    ['/v1/remediations?state=bogus', 400],
    ['/v1/remediations?instanceId=nope', 400],
    ['/v1/remediations?cursor=garbage', 400],
    ['/v1/remediations?sort=asc', 400],
    ['/v1/remediations?limit=1&limit=2', 400],
    ['/v1/remediations/%E4%B8', 400],
  ])('GET %s -> %d', async (url, status) => {
    const res = await stack.http('GET', url);
    expect(res.status).toBe(status);
    expectErrorShape(res.body, status);
  });

  it.each([
    ['a timestamp PostgreSQL cannot cast', { c: '1', i: '6f1c2c9e-5d0b-4a53-9a4c-0f0b7f1c2d3e' }],
    ['an impossible date', { c: '2026-02-30T00:00:00.000Z', i: '6f1c2c9e-5d0b-4a53-9a4c-0f0b7f1c2d3e' }],
    ['an id that is not a UUID', { c: '2026-01-01T00:00:00.000Z', i: '------------------------------------' }],
    ['SQL in the id', { c: '2026-01-01T00:00:00.000Z', i: "1' OR '1'='1" }],
    ['a number', 42],
  ])('a tampered list cursor (%s) -> 400 naming cursor, not a database error', async (_n, v) => {
    const cursor = Buffer.from(JSON.stringify(v)).toString('base64url');
    const res = await stack.http('GET', `/v1/remediations?cursor=${cursor}`);
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 400);
    expect(res.body.fields).toEqual([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
  });

  it.each(['cancel', 'approve'])('POST %s on an unknown or malformed id -> 404 / 400', async (action) => {
    expect((await stack.http('POST', `/v1/remediations/00000000-0000-4000-8000-000000000000/${action}`)).status).toBe(404);
    expect((await stack.http('POST', `/v1/remediations/xyz/${action}`)).status).toBe(400);
  });

  it('fuzzed bodies, headers and query strings never produce a 5xx, and invalid ones write nothing', async () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    const values: unknown[] = [null, true, false, 0, -1, 1e308, 'x', '', ' ', '\u0000', 'é中文', 'a'.repeat(3000), [], [1], {}, { a: 1 }, 'i-0aaaaaaaaaaaaaaaa', 'eu-west-1', 'fix', 'diagnose', 'configure-licensing', 'per-user', '../../etc/passwd', "'; DROP TABLE remediations;--", '${7*7}', '$(Get-Process)'];
    const fields = ['instanceId', 'region', 'mode', 'strategy', 'allowReboot', 'source', 'ticketRef', 'licenseServer', 'licensingMode', 'callbackUrl', 'extra', '__proto__', 'constructor'];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 250; i++) {
      const body: Record<string, unknown> = {};
      for (const f of fields) if (rnd() < 0.5) body[f] = pick(values);
      const raw = rnd() < 0.1 ? JSON.stringify(body).slice(0, Math.floor(rnd() * 40)) : JSON.stringify(body);
      const before = await rowCount();
      const headers: Record<string, string> = {};
      if (rnd() < 0.2) headers['idempotency-key'] = pick(['k', 'k'.repeat(300), 'é', ' ']);
      if (rnd() < 0.1) headers['content-type'] = pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']);
      const res = await stack.http('POST', '/v1/remediations', raw, headers);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect({ i, status: res.status < 500 }).toEqual({ i, status: true });
      if (res.status >= 400) expect(await rowCount()).toBe(before);
    }
    for (let i = 0; i < 100; i++) {
      const q = ['instanceId', 'state', 'ticketRef', 'limit', 'cursor', 'x']
        .filter(() => rnd() < 0.5)
        .map((k) => `${k}=${encodeURIComponent(String(pick(values)))}`)
        .join('&');
      const res = await stack.http('GET', `/v1/remediations?${q}`);
      expect({ q, status: res.status < 500 }).toEqual({ q, status: true });
    }
    // Most random bodies are invalid; the fuzz must have exercised the 4xx paths.
    expect([...statuses.keys()].filter((k) => k >= 400 && k < 500).length).toBeGreaterThanOrEqual(2);
  });

  it('a valid request is accepted with 202, a Location header and links', async () => {
    const res = await stack.http('POST', '/v1/remediations', good);
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/v1/remediations/${res.body.id}`);
    expect(res.body).toEqual(expect.objectContaining({ state: 'queued', mode: 'diagnose', strategy: 'remove-role', allowReboot: false, source: 'api' }));
    expect(res.body.links.self).toContain(res.body.id);
  });

  it('serves the OpenAPI document as JSON and UI', async () => {
    const json = await stack.http('GET', '/docs-json');
    expect(json.status).toBe(200);
    expect(Object.keys(json.body.paths)).toEqual(expect.arrayContaining(['/v1/remediations', '/v1/remediations/{id}', '/v1/remediations/{id}/cancel']));
    const ui = await fetch(`${stack.apiUrl}/docs`);
    expect(ui.status).toBe(200);
  });
});

describe('operations endpoints', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ worker: 'none' });
  });
  afterAll(async () => stack.close());

  it('serves Prometheus metrics without a key: HTTP by route, active remediations, queue jobs', async () => {
    await stack.http('POST', '/v1/remediations', { instanceId: 'i-0fedcba9876543210', region: 'eu-west-1' });
    await stack.http('GET', '/v1/remediations/not-a-uuid');
    const res = await fetch(`${stack.apiUrl}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/rdpfix_http_requests_total\{method="POST",route="\/v1\/remediations",status="202"\} 1/);
    expect(text).toMatch(/rdpfix_http_requests_total\{method="GET",route="\/v1\/remediations\/:id",status="400"\} 1/);
    expect(text).toMatch(/rdpfix_remediations_active\{state="queued"\} 1/);
    expect(text).toMatch(/rdpfix_queue_jobs\{state="waiting"\} 1/);
    expect(text).not.toMatch(/not-a-uuid/);
  });
});
