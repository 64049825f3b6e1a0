import { Client } from 'pg';
import { Stack } from './support/stack';

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
    ['__proto__ smuggling', '{"instanceId":"i-0123456789abcdef0","region":"eu-west-1","__proto__":{"admin":true}}', '__proto__'],
    ['__proto__ smuggling with a bad field', '{"instanceId":"nope","region":"eu-west-1","__proto__":{}}', '__proto__'],
  ];

  it.each(badBodies)('POST with %s -> 400 naming the field, nothing written', async (_name, body, field) => {
    const before = await rowCount();
    const res = await stack.http('POST', '/v1/remediations', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
    if (field) expect(res.body.fields.map((f: any) => f.field)).toContain(field);
    expect(typeof res.body.message).toBe('string');
    expect(await rowCount()).toBe(before);
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
    expect(res.body.statusCode).toBe(status);
    expect(await rowCount()).toBe(before);
  });

  it('an oversized body -> 413', async () => {
    const res = await stack.http('POST', '/v1/remediations', { ...good, ticketRef: 'x'.repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('entity_too_large');
  });

  it('a non-JSON content type is not accepted as a request', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/remediations`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${stack.adminKey}` },
      body: JSON.stringify(good),
    });
    expect(res.status).toBe(400);
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
  ])('GET %s -> %d', async (url, status) => {
    const res = await stack.http('GET', url);
    expect(res.status).toBe(status);
    expect(res.body.statusCode).toBe(status);
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
