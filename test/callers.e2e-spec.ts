import { createHash } from 'crypto';
import { Client } from 'pg';
import { parseApiKey } from '@rdpfix/auth';
import { expectErrorShape } from './hardening/support/error-shape';
import { Json, Stack } from './support/stack';

/**
 * Issue 4: API keys with roles, tenant isolation (another tenant's resource is 404), idempotent
 * submissions, ticket search and summaries, and per-key rate limits.
 */
describe('callers: keys, roles, tenants, idempotency, summaries, rate limits', () => {
  let stack: Stack;
  let pg: Client;
  const keys: Record<string, string> = {};
  let tenantAInstance: string;
  let tenantBInstance: string;
  let remA: Json; // a finished remediation of tenant A
  let remB: Json; // a finished remediation of tenant B

  const as = (who: string) => (who === 'none' ? { authorization: '' } : { authorization: `Bearer ${keys[who]}` });

  beforeAll(async () => {
    stack = await Stack.start();
    pg = new Client({ connectionString: stack.dbUrl });
    await pg.connect();
    keys.admin = stack.adminKey;
    keys.support = (await stack.createKey('support')).key;
    keys.consoleA = (await stack.createKey('console', 'tenant-a')).key;
    keys.consoleB = (await stack.createKey('console', 'tenant-b')).key;
    keys.fleet = (await stack.createKey('fleet')).key;
    const revoked = await stack.createKey('support');
    keys.revoked = revoked.key;
    expect((await stack.http('DELETE', `/v1/admin/keys/${revoked.record.id}`)).status).toBe(200);
    keys.garbage = 'rdpfix_aaaaaaaaaaaa_' + 'b'.repeat(43);

    tenantAInstance = await stack.instance('2019', 'healthy', undefined, 'tenant-a');
    tenantBInstance = await stack.instance('2019', 'healthy', undefined, 'tenant-b');
    remA = await stack.waitFor((await stack.submit({ instanceId: tenantAInstance, mode: 'diagnose' }, as('consoleA'))).id);
    remB = await stack.waitFor((await stack.submit({ instanceId: tenantBInstance, mode: 'diagnose' }, as('consoleB'))).id);
  });
  afterAll(async () => {
    await pg.end();
    await stack.close();
  });

  describe('authentication', () => {
    it.each(['none', 'garbage', 'revoked'])('%s key -> 401 with WWW-Authenticate on every endpoint', async (who) => {
      for (const [method, url] of [
        ['GET', '/v1/remediations'],
        ['POST', '/v1/remediations'],
        ['GET', `/v1/remediations/${remA.id}`],
        ['POST', `/v1/remediations/${remA.id}/cancel`],
        ['POST', `/v1/remediations/${remA.id}/approve`],
        ['GET', '/v1/admin/keys'],
      ]) {
        const res = await stack.http(method, url, method === 'POST' ? {} : undefined, as(who));
        expect({ url, status: res.status }).toEqual({ url, status: 401 });
        expect(res.headers.get('www-authenticate')).toMatch(/Bearer/);
        expectErrorShape(res.body, 401);
      }
    });

    it('health and docs need no key', async () => {
      expect((await stack.http('GET', '/health', undefined, as('none'))).status).toBe(200);
      expect((await stack.http('GET', '/docs-json', undefined, as('none'))).status).toBe(200);
    });
  });

  describe('roles on every endpoint', () => {
    it('POST /v1/remediations: admin, support, console (own instance) yes; fleet 403; console on another tenant 404', async () => {
      for (const [who, expected] of [['admin', 202], ['support', 202], ['consoleA', 202], ['fleet', 403]] as const) {
        const inst = await stack.instance('2019', 'healthy', undefined, 'tenant-a');
        const res = await stack.http('POST', '/v1/remediations', { instanceId: inst, region: 'eu-west-1', mode: 'diagnose' }, as(who));
        expect({ who, status: res.status }).toEqual({ who, status: expected });
      }
      const other = await stack.http('POST', '/v1/remediations', { instanceId: tenantBInstance, region: 'eu-west-1', mode: 'diagnose' }, as('consoleA'));
      expect(other.status).toBe(404);
      expectErrorShape(other.body, 404);
      const wrongRegion = await stack.http('POST', '/v1/remediations', { instanceId: tenantAInstance, region: 'us-east-1', mode: 'diagnose' }, as('consoleA'));
      expect(wrongRegion.status).toBe(404);
      // Issue 11: the tenant's own instance in another region says so (another tenant's still looks missing).
      expect(wrongRegion.body).toEqual(expect.objectContaining({ error: 'instance_not_in_region', fields: [expect.objectContaining({ field: 'region' })] }));
      expect(wrongRegion.body.message).toMatch(/is not in region us-east-1: it is in eu-west-1/);
      expect(other.body.error).toBe('not_found');
      const unknown = await stack.http('POST', '/v1/remediations', { instanceId: 'i-0000000000000000a', region: 'eu-west-1', mode: 'diagnose' }, as('consoleA'));
      expect(unknown.status).toBe(404);
    });

    it('GET one: admin/support any tenant; console only its own (404 otherwise); fleet 403', async () => {
      const cases: [string, Json, number][] = [
        ['admin', remA, 200], ['admin', remB, 200], ['support', remA, 200], ['support', remB, 200],
        ['consoleA', remA, 200], ['consoleA', remB, 404], ['consoleB', remB, 200], ['consoleB', remA, 404], ['fleet', remA, 403],
      ];
      for (const [who, rem, expected] of cases) {
        const res = await stack.http('GET', `/v1/remediations/${rem.id}`, undefined, as(who));
        expect({ who, rem: rem.instanceId, status: res.status }).toEqual({ who, rem: rem.instanceId, status: expected });
      }
    });

    it('GET list: console sees only its tenant; support and admin see all; fleet 403', async () => {
      const ids = async (who: string) => (await stack.http('GET', '/v1/remediations?limit=100', undefined, as(who))).body.items.map((i: Json) => i.id);
      expect(await ids('consoleA')).toContain(remA.id);
      expect(await ids('consoleA')).not.toContain(remB.id);
      expect(await ids('consoleB')).not.toContain(remA.id);
      expect(await ids('support')).toEqual(expect.arrayContaining([remA.id, remB.id]));
      expect(await ids('admin')).toEqual(expect.arrayContaining([remA.id, remB.id]));
      expect((await stack.http('GET', '/v1/remediations', undefined, as('fleet'))).status).toBe(403);
      const filtered = await stack.http('GET', `/v1/remediations?instanceId=${tenantBInstance}`, undefined, as('consoleA'));
      expect(filtered.body.items).toEqual([]);
    });

    it.each(['cancel', 'approve', 'rollback'])('POST %s: allowed roles reach the state check (409 on a finished one); others 403/404', async (action) => {
      const cases: [string, Json, number][] = [
        ['admin', remA, 409], ['support', remA, 409], ['consoleA', remA, 409], ['consoleA', remB, 404], ['fleet', remA, 403],
      ];
      for (const [who, rem, expected] of cases) {
        const res = await stack.http('POST', `/v1/remediations/${rem.id}/${action}`, undefined, as(who));
        expect({ who, action, status: res.status }).toEqual({ who, action, status: expected });
      }
    });

    it('GET events (SSE): admin/support any tenant; console only its own (404 otherwise); fleet 403', async () => {
      const cases: [string, Json, number][] = [
        ['admin', remA, 200], ['support', remB, 200], ['consoleA', remA, 200], ['consoleA', remB, 404], ['fleet', remA, 403], ['none', remA, 401],
      ];
      for (const [who, rem, expected] of cases) {
        const res = await fetch(`${stack.apiUrl}/v1/remediations/${rem.id}/events`, { headers: who === 'none' ? {} : as(who) });
        expect({ who, status: res.status }).toEqual({ who, status: expected });
        // A finished remediation's stream ends by itself; drain it.
        await res.text();
      }
    });

    it('admin endpoints: only admin', async () => {
      for (const who of ['support', 'consoleA', 'fleet']) {
        const denied = await stack.http('GET', '/v1/admin/keys', undefined, as(who));
        expect(denied.status).toBe(403);
        expectErrorShape(denied.body, 403);
        // Each allowed role named once ("allowed: admin", not "allowed: admin, admin").
        expect(denied.body.message).toMatch(/\(allowed: admin\)$/);
        expect((await stack.http('POST', '/v1/admin/keys', { name: 'x', role: 'support' }, as(who))).status).toBe(403);
        expect((await stack.http('DELETE', '/v1/admin/keys/00000000-0000-4000-8000-000000000000', undefined, as(who))).status).toBe(403);
      }
      const list = await stack.http('GET', '/v1/admin/keys', undefined, as('admin'));
      expect(list.status).toBe(200);
      for (const k of list.body.items) {
        expect(k).not.toHaveProperty('key');
        expect(k).not.toHaveProperty('webhookSecret');
        expect(k).not.toHaveProperty('secretHash');
      }
    });

    it('admin creates keys with validation: console needs a tenant, others must not have one', async () => {
      const ok = await stack.http('POST', '/v1/admin/keys', { name: 'console-c', role: 'console', tenantId: 'tenant-c' });
      expect(ok.status).toBe(201);
      expect(ok.body.key).toMatch(/^rdpfix_[a-z0-9]{12}_/);
      expect(ok.body.webhookSecret).toMatch(/^whsec_/);
      const stored = await pg.query('SELECT secret_hash FROM api_keys WHERE id = $1', [ok.body.id]);
      // The secret part may contain "_": parse the key as the service does, never split it.
      const parsed = parseApiKey(ok.body.key)!;
      expect(parsed.secret).toHaveLength(43);
      expect(stored.rows[0].secret_hash).not.toContain(parsed.secret);
      expect(stored.rows[0].secret_hash).toBe(createHash('sha256').update(parsed.secret).digest('hex'));
      expect((await stack.http('POST', '/v1/admin/keys', { name: 'c2', role: 'console' })).status).toBe(400);
      expect((await stack.http('POST', '/v1/admin/keys', { name: 's2', role: 'support', tenantId: 'x' })).status).toBe(400);
      expect((await stack.http('POST', '/v1/admin/keys', { name: 's3', role: 'root' })).status).toBe(400);
      expect((await stack.http('DELETE', '/v1/admin/keys/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    });

    it('records the actor (key, role, source) of each action in the timeline', async () => {
      const r = await stack.get(remA.id);
      const created = r.timeline.find((e: Json) => e.type === 'created');
      expect(created.actor).toEqual({ keyId: expect.any(String), role: 'console', source: 'api' });
      expect(r.tenantId).toBe('tenant-a');
    });
  });

  describe('tickets', () => {
    it('Idempotency-Key: same key and body -> same remediation; different body -> 422; keys kept >= 24 h', async () => {
      const inst = await stack.instance('2019', 'healthy');
      const body = { instanceId: inst, region: 'eu-west-1', mode: 'diagnose', source: 'ticket', ticketRef: 'TCK-1001' };
      const h = { ...as('support'), 'idempotency-key': 'ticket-TCK-1001-attempt' };
      const first = await stack.http('POST', '/v1/remediations', body, h);
      expect(first.status).toBe(202);
      const again = await stack.http('POST', '/v1/remediations', { ticketRef: 'TCK-1001', source: 'ticket', mode: 'diagnose', region: 'eu-west-1', instanceId: inst }, h);
      expect(again.status).toBe(202);
      expect(again.body.id).toBe(first.body.id);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const changed = await stack.http('POST', '/v1/remediations', { ...body, mode: 'fix' }, h);
      expect(changed.status).toBe(422);
      expect(changed.body.error).toBe('idempotency_key_reused');
      const rows = await pg.query('SELECT count(*)::int AS n FROM remediations WHERE instance_id = $1', [inst]);
      expect(rows.rows[0].n).toBe(1);
      const kept = await pg.query(`SELECT expires_at - created_at >= interval '24 hours' AS ok FROM idempotency_keys WHERE idempotency_key = $1`, ['ticket-TCK-1001-attempt']);
      expect(kept.rows[0].ok).toBe(true);
      // The same Idempotency-Key under another API key is a different request.
      const inst2 = await stack.instance('2019', 'healthy');
      const other = await stack.http('POST', '/v1/remediations', { ...body, instanceId: inst2 }, { ...as('admin'), 'idempotency-key': 'ticket-TCK-1001-attempt' });
      expect(other.status).toBe(202);
      expect(other.body.id).not.toBe(first.body.id);
    });

    it('Idempotency-Key: concurrent retries create exactly one remediation', async () => {
      const inst = await stack.instance('2019', 'healthy');
      const body = { instanceId: inst, region: 'eu-west-1', mode: 'diagnose', source: 'ticket' };
      const h = { ...as('support'), 'idempotency-key': `race-${inst}` };
      const results = await Promise.all(Array.from({ length: 6 }, () => stack.http('POST', '/v1/remediations', body, h)));
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(202));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    });

    it('a malformed Idempotency-Key is a 400', async () => {
      const res = await stack.http('POST', '/v1/remediations', { instanceId: tenantAInstance, region: 'eu-west-1' }, { ...as('support'), 'idempotency-key': 'x'.repeat(300) });
      expect(res.status).toBe(400);
      expectErrorShape(res.body, 400);
      expect(res.body.fields.map((f: Json) => f.field)).toEqual(['Idempotency-Key']);
    });

    it('ticketRef is stored and searchable', async () => {
      const inst = await stack.instance('2019', 'healthy');
      const c = await stack.submit({ instanceId: inst, mode: 'diagnose', source: 'ticket', ticketRef: 'ZD-77731' }, as('support'));
      const found = await stack.http('GET', '/v1/remediations?ticketRef=ZD-77731', undefined, as('support'));
      expect(found.body.items.map((i: Json) => i.id)).toEqual([c.id]);
    });

    it('a paste-ready summary in English, or Chinese with Accept-Language: zh-CN', async () => {
      const inst = await stack.instance('2019', 'cause-a');
      const c = await stack.submit({ instanceId: inst, mode: 'fix', source: 'ticket' }, as('support'));
      await stack.waitFor(c.id);
      const en = (await stack.http('GET', `/v1/remediations/${c.id}`, undefined, as('support'))).body;
      expect(en.outcome).toBe('fixed');
      expect(en.summary).toContain(inst);
      expect(en.summary).not.toMatch(/[\u4e00-\u9fff]/);
      const zh = (await stack.http('GET', `/v1/remediations/${c.id}`, undefined, { ...as('support'), 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' })).body;
      expect(zh.summary).toMatch(/[\u4e00-\u9fff]/);
      expect(zh.summary).toContain(inst);
    });
  });

  describe('console', () => {
    it('diagnose mode returns, in plain words, what a fix would change', async () => {
      const inst = await stack.instance('2022', 'cause-b', undefined, 'tenant-a');
      const c = await stack.submit({ instanceId: inst, mode: 'diagnose', source: 'console' }, as('consoleA'));
      await stack.waitFor(c.id);
      const r = (await stack.http('GET', `/v1/remediations/${c.id}`, undefined, as('consoleA'))).body;
      expect(r.outcome).toBe('diagnosed');
      expect(r.preview.join(' ')).toMatch(/Remote Desktop Session Host/i);
      expect(r.preview.join(' ')).toMatch(/restart/i);
    });
  });

  describe('fairness', () => {
    it('a key over its rate limit gets 429 with Retry-After; other keys are unaffected', async () => {
      const slow = (await stack.createKey('support', null, 3)).key;
      const results = await Promise.all(Array.from({ length: 10 }, () => stack.http('GET', '/v1/remediations?limit=1', undefined, { authorization: `Bearer ${slow}` })));
      const limited = results.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThanOrEqual(6);
      expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(3);
      for (const r of limited) {
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(r.body.error).toBe('rate_limited');
      }
      expect((await stack.http('GET', '/v1/remediations?limit=1', undefined, as('support'))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await stack.http('GET', '/v1/remediations?limit=1', undefined, { authorization: `Bearer ${slow}` })).status).toBe(200);
    });

    it('a limit is exact under a burst: never exceeded, and no request counted twice', async () => {
      const key = (await stack.createKey('support', null, 60)).key;
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 120 }, () => stack.http('GET', '/v1/remediations?limit=1', undefined, { authorization: `Bearer ${key}` })));
      // Each one-second window admits exactly 60; a slow machine may spread the burst over two.
      const windows = Math.ceil((Date.now() - started + 1) / 1000);
      const ok = results.filter((r) => r.status === 200).length;
      expect(ok).toBeGreaterThanOrEqual(60);
      expect(ok).toBeLessThanOrEqual(60 * windows);
      expect(results.filter((r) => r.status === 429).length).toBe(120 - ok);
    });
  });
});
