import { Client } from 'pg';
import { redactLogLine, redactUrl } from '@rdpfix/observability';
import { RemediationEventsService } from '../../apps/api/src/events/remediation-events.service';
import { SseClient } from '../events/support/sse-client';
import { Json, Stack } from '../support/stack';

/**
 * Issue 11 §10: the console in a browser. CORS answers only the configured origins; an
 * EventSource (no headers) follows one remediation with a short-lived stream token in its URL;
 * the API key itself is never accepted in a URL; token streams share the key's slots and end
 * when the key is revoked.
 */
describe('browsers: CORS and stream tokens', () => {
  const CONSOLE = 'https://console.example.com';
  const TTL = 10;
  let stack: Stack;
  let pg: Client;
  let events: RemediationEventsService;
  let remA: Json; // tenant-a, stays queued (no worker): its stream never ends by itself
  let remB: Json; // tenant-b
  let consoleA: { key: string; record: Json };

  beforeAll(async () => {
    stack = await Stack.start({ worker: 'none', config: { CORS_ORIGINS: `${CONSOLE}, http://localhost:5173`, STREAM_TOKEN_TTL_S: TTL, AUTH_CACHE_MS: 500 } });
    pg = new Client({ connectionString: stack.dbUrl });
    await pg.connect();
    events = stack['api']!.get(RemediationEventsService);
    consoleA = (await stack.createKey('console', 'tenant-a')) as never;
    const a = await stack.instance('2019', 'healthy', undefined, 'tenant-a');
    const b = await stack.instance('2019', 'healthy', undefined, 'tenant-b');
    remA = (await stack.http('POST', '/v1/remediations', { instanceId: a, region: 'eu-west-1' }, { authorization: `Bearer ${consoleA.key}` })).body;
    remB = await stack.submit({ instanceId: b });
    expect(remA.id).toBeDefined();
  });
  afterAll(async () => {
    await pg.end();
    await stack.close();
  });

  const tokenFor = async (id: string, key: string) => stack.http('POST', `/v1/remediations/${id}/stream-token`, undefined, { authorization: `Bearer ${key}` });
  const eventsUrl = (id: string, query: string) => `${stack.apiUrl}/v1/remediations/${id}/events?${query}`;

  it('CORS: a configured origin gets its preflight and headers; another origin gets none', async () => {
    const pre = await fetch(`${stack.apiUrl}/v1/remediations`, {
      method: 'OPTIONS',
      headers: { origin: CONSOLE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
    });
    expect(pre.status).toBeLessThan(300);
    expect(pre.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
    const get = await fetch(`${stack.apiUrl}/v1/remediations/${remA.id}`, { headers: { origin: CONSOLE, authorization: `Bearer ${consoleA.key}` } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(get.headers.get('access-control-expose-headers')).toContain('Location');
    const evil = await fetch(`${stack.apiUrl}/v1/remediations/${remA.id}`, { headers: { origin: 'https://evil.example.net', authorization: `Bearer ${consoleA.key}` } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('CORS is off by default', async () => {
    const plain = await Stack.start({ worker: 'none' });
    try {
      const pre = await fetch(`${plain.apiUrl}/v1/remediations`, { method: 'OPTIONS', headers: { origin: CONSOLE, 'access-control-request-method': 'POST' } });
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await plain.close();
    }
  });

  it('a stream token opens that remediation\'s events without a header, only that one, and is stored hashed', async () => {
    const t = await tokenFor(remA.id, consoleA.key);
    expect(t.status).toBe(201);
    expect(t.body.token).toMatch(/^rdst_[A-Za-z0-9_-]{43}$/);
    expect(new Date(t.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(TTL * 1000);
    const s = await SseClient.open(`${stack.apiUrl}${t.body.events}`);
    try {
      expect(s.status).toBe(200);
      await s.waitFor((c) => c.events.some((e) => e.event === 'created'));
    } finally {
      s.close();
    }
    // Not another remediation, not another route.
    expect((await SseClient.open(eventsUrl(remB.id, `token=${t.body.token}`))).status).toBe(401);
    expect((await fetch(`${stack.apiUrl}/v1/remediations/${remA.id}?token=${t.body.token}`)).status).toBe(401);
    expect((await fetch(`${stack.apiUrl}/v1/remediations?token=${t.body.token}`)).status).toBe(401);
    // The token in a URL is a credential: request logs redact it like any *token* parameter.
    expect(redactUrl(t.body.events)).not.toContain(t.body.token);
    expect(redactLogLine(JSON.stringify({ msg: 'request', url: t.body.events, token: t.body.token }))).not.toContain(t.body.token.slice(5));
    const stored = await pg.query(`SELECT token_hash FROM stream_tokens`);
    expect(stored.rows.map((r) => r.token_hash)).not.toContain(t.body.token);
    expect(JSON.stringify(stored.rows)).not.toContain(t.body.token.slice(5));
  });

  it('a console key gets no token for another tenant\'s remediation (404, as for any read)', async () => {
    const t = await tokenFor(remB.id, consoleA.key);
    expect(t.status).toBe(404);
    expect(await pg.query(`SELECT count(*)::int AS n FROM stream_tokens WHERE remediation_id = $1`, [remB.id])).toMatchObject({ rows: [{ n: 0 }] });
  });

  it('the API key itself is never accepted in a URL, under any parameter name', async () => {
    const { key } = await stack.createKey('support');
    for (const q of ['token', 'access_token', 'api_key', 'apiKey', 'key', 'authorization']) {
      const s = await SseClient.open(eventsUrl(remA.id, `${q}=${encodeURIComponent(key)}`));
      expect({ q, status: s.status, error: s.body?.error }).toEqual({ q, status: 401, error: 'unauthorized' });
      const get = await fetch(`${stack.apiUrl}/v1/remediations/${remA.id}?${q}=${encodeURIComponent(key)}`);
      expect({ q, status: get.status }).toEqual({ q, status: 401 });
    }
    // Bearer-prefixed, too.
    expect((await SseClient.open(eventsUrl(remA.id, `token=${encodeURIComponent(`Bearer ${key}`)}`))).status).toBe(401);
  });

  it('an expired token is refused', async () => {
    const t = await tokenFor(remA.id, consoleA.key);
    await pg.query(`UPDATE stream_tokens SET expires_at = now() - interval '1 second' WHERE expires_at > now()`);
    expect((await SseClient.open(`${stack.apiUrl}${t.body.events}`)).status).toBe(401);
  });

  it('token streams use the key\'s slots (the 21st stream is 429) and give them back', async () => {
    const { key, record } = await stack.createKey('support');
    const t = (await tokenFor(remA.id, key)).body;
    const streams = await Promise.all(Array.from({ length: 20 }, () => SseClient.open(`${stack.apiUrl}${t.events}`)));
    try {
      expect(streams.map((s) => s.status)).toEqual(Array(20).fill(200));
      expect((await SseClient.open(eventsUrl(remA.id, ''), { authorization: `Bearer ${key}` })).status).toBe(429);
      expect(events.slotsHeld(record.id)).toBe(20);
    } finally {
      streams.forEach((s) => s.close());
    }
    const until = Date.now() + 10_000;
    while (events.slotsHeld(record.id) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(events.slotsHeld(record.id)).toBe(0);
  });

  it('revoking the key ends its token streams and its tokens stop working', async () => {
    const { key, record } = await stack.createKey('support');
    const t = (await tokenFor(remA.id, key)).body;
    const s = await SseClient.open(`${stack.apiUrl}${t.events}`);
    expect(s.status).toBe(200);
    expect((await stack.http('DELETE', `/v1/admin/keys/${record.id}`)).status).toBe(200);
    await s.ended(5_000);
    expect(s.events.map((e) => e.event)).toContain('revoked');
    expect((await SseClient.open(`${stack.apiUrl}${t.events}`)).status).toBe(401);
  });
});
