import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { validate } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Json, Stack } from '../support/stack';

/**
 * The OpenAPI document (issue 11, item 9): valid OpenAPI 3.1 by an independent validator, every
 * route Nest registered is in it, every response has a schema, and real answers match those
 * schemas (so a view that drifts from its documented shape fails here).
 */
describe('OpenAPI contract', () => {
  let stack: Stack;
  let doc: Json;
  let ajv: Ajv2020;

  beforeAll(async () => {
    stack = await Stack.start();
    const res = await fetch(`${stack.apiUrl}/docs-json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Json;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    // The document's components, addressable as the document addresses them.
    ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  });
  afterAll(() => stack?.close());

  /** Validates a body against a component schema and returns the errors (none = []). */
  function conforms(schemaName: string, body: unknown): string[] {
    const v = ajv.compile({ $ref: `doc#/components/schemas/${schemaName}` });
    return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  }

  it('is valid OpenAPI 3.1 by @readme/openapi-parser', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(JSON.parse(JSON.stringify(doc)));
    expect({ valid: result.valid, errors: result.valid ? [] : result.errors }).toEqual({ valid: true, errors: [] });
  });

  it('documents every route registered in Nest (campaigns included)', () => {
    const routes = registeredRoutes(stack);
    expect(routes.length).toBeGreaterThan(20);
    expect(routes).toEqual(expect.arrayContaining(['POST /v1/campaigns', 'GET /v1/campaigns/{id}/events', 'POST /v1/remediations/{id}/approve', 'DELETE /v1/admin/keys/{id}']));
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${p}`)));
    expect(routes.filter((r) => !documented.has(r))).toEqual([]);
  });

  it('gives every response a schema; every error is the one ErrorBody', () => {
    const missing: string[] = [];
    const notErrorBody: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops as Json)) {
        for (const [code, r] of Object.entries((op as Json).responses as Json)) {
          const content = (r as Json).content as Json | undefined;
          if (!content || !Object.values(content).every((c: Json) => c.schema)) missing.push(`${m} ${p} ${code}`);
          // Health checks are the one exception: their 503 is the readiness report naming what is down.
          if (/^[45]/.test(code) && !p.startsWith('/health') && content?.['application/json']?.schema?.$ref !== '#/components/schemas/ErrorBody') notErrorBody.push(`${m} ${p} ${code}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(notErrorBody).toEqual([]);
    // The 2xx of get, approve, cancel and key deletion named by the issue.
    const ok = (m: string, p: string, code: string) => doc.paths[p][m].responses[code].content['application/json'].schema.$ref;
    expect(ok('get', '/v1/remediations/{id}', '200')).toBe('#/components/schemas/RemediationDetail');
    expect(ok('post', '/v1/remediations/{id}/approve', '202')).toBe('#/components/schemas/Remediation');
    expect(ok('post', '/v1/remediations/{id}/cancel', '202')).toBe('#/components/schemas/Remediation');
    expect(ok('delete', '/v1/admin/keys/{id}', '200')).toBe('#/components/schemas/ApiKey');
  });

  it('names each parameter once, marks no optional header required, and says what the bearer token is', () => {
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops as Json)) {
        const params = ((op as Json).parameters ?? []) as Json[];
        const keys = params.map((x) => `${x.in}:${x.in === 'header' ? String(x.name).toLowerCase() : x.name}`);
        expect({ op: `${m} ${p}`, dup: keys.filter((k, i) => keys.indexOf(k) !== i) }).toEqual({ op: `${m} ${p}`, dup: [] });
        expect(params.filter((x) => x.in === 'header' && x.required).map((x) => x.name)).toEqual([]);
      }
    }
    const getParams = doc.paths['/v1/remediations/{id}'].get.parameters.map((x: Json) => x.name);
    expect(getParams.filter((n: string) => n.toLowerCase() === 'accept-language')).toEqual(['Accept-Language']);
    const evParams = doc.paths['/v1/remediations/{id}/events'].get.parameters.map((x: Json) => x.name);
    expect(evParams.filter((n: string) => n.toLowerCase() === 'last-event-id')).toEqual(['Last-Event-ID']);
    expect(doc.components.securitySchemes.bearer.bearerFormat).not.toBe('JWT');
    expect(doc.components.securitySchemes.bearer.bearerFormat).toMatch(/rdpfix_/);
  });

  it('describes the webhooks and the SSE event types', () => {
    expect(Object.keys(doc.webhooks).sort()).toEqual(
      ['campaign.cancel_requested', 'campaign.done', 'campaign.paused', 'campaign.started', 'campaign.stopped_on_errors', 'campaign.wave_done', 'remediation.awaiting_approval', 'remediation.finished'].sort(),
    );
    expect(doc.webhooks['remediation.finished'].post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/RemediationWebhook');
    const sse = doc.paths['/v1/remediations/{id}/events'].get.responses['200'].content['text/event-stream'].schema.$ref;
    expect(sse).toBe('#/components/schemas/SseRemediationEvent');
    const events = doc.components.schemas.SseRemediationEvent.oneOf.map((s: Json) => s.properties.event.const).filter(Boolean);
    expect(events).toEqual(expect.arrayContaining(['end', 'revoked']));
    // The webhook schema describes what rdpfix really sends.
    const { buildWebhookPayload } = jest.requireActual('@rdpfix/webhooks');
    const sample = buildWebhookPayload('remediation.finished', { id: '6f1c2c9e-5d0b-4a53-9a4c-0f0b7f1c2d3e', instanceId: 'i-0abc123def4567890', region: 'eu-west-1', state: 'finished', outcome: 'fixed', reason: null, reasonDetail: null, ticketRef: null, approvalExpiresAt: null });
    expect(conforms('RemediationWebhook', JSON.parse(JSON.stringify(sample)))).toEqual([]);
  });

  it('real answers match their documented schemas', async () => {
    const support = (await stack.createKey('support')).key;
    const h = { authorization: `Bearer ${support}` };
    const id1 = await stack.instance('2019', 'cause-b');
    const created = await stack.http('POST', '/v1/remediations', { instanceId: id1, region: 'eu-west-1', mode: 'fix' }, h);
    expect(created.status).toBe(202);
    expect(conforms('Remediation', created.body)).toEqual([]);
    const parked = await stack.waitFor(created.body.id, ['awaiting_approval']);
    expect(conforms('RemediationDetail', parked)).toEqual([]);
    const approved = await stack.http('POST', `/v1/remediations/${created.body.id}/approve`, undefined, h);
    expect(approved.status).toBe(202);
    expect(conforms('Remediation', approved.body)).toEqual([]);
    const done = await stack.waitFor(created.body.id);
    expect(conforms('RemediationDetail', done)).toEqual([]);
    expect(conforms('RemediationDetail', (await stack.http('GET', `/v1/remediations/${created.body.id}`, undefined, { ...h, 'accept-language': 'zh-CN' })).body)).toEqual([]);

    const id2 = await stack.instance('2019', 'cause-a');
    const other = await stack.submit({ instanceId: id2, mode: 'fix' });
    const cancelled = await stack.http('POST', `/v1/remediations/${other.id}/cancel`, undefined, h);
    expect([202, 409]).toContain(cancelled.status);
    expect(conforms(cancelled.status === 202 ? 'Remediation' : 'ErrorBody', cancelled.body)).toEqual([]);
    expect(conforms('RemediationList', (await stack.http('GET', '/v1/remediations?limit=5', undefined, h)).body)).toEqual([]);

    const key = await stack.http('POST', '/v1/admin/keys', { name: 'doc', role: 'support' });
    expect(conforms('ApiKeyCreated', key.body)).toEqual([]);
    expect(conforms('ApiKeyList', (await stack.http('GET', '/v1/admin/keys')).body)).toEqual([]);
    const revoked = await stack.http('DELETE', `/v1/admin/keys/${key.body.id}`);
    expect(revoked.status).toBe(200);
    expect(conforms('ApiKey', revoked.body)).toEqual([]);

    for (const bad of [
      await stack.http('GET', '/v1/remediations/not-a-uuid', undefined, h),
      await stack.http('GET', '/v1/remediations/6f1c2c9e-5d0b-4a53-9a4c-0f0b7f1c2d3e', undefined, h),
      await stack.http('POST', `/v1/remediations/${created.body.id}/approve`, undefined, h),
      await stack.http('GET', '/v1/remediations', undefined, { authorization: 'Bearer not-a-key' }),
    ]) {
      expect(bad.status).toBeGreaterThanOrEqual(400);
      expect(conforms('ErrorBody', bad.body)).toEqual([]);
    }
    const health = await stack.http('GET', '/health');
    expect(conforms('Health', health.body)).toEqual([]);
  });

  it('campaign answers match their documented schemas', async () => {
    const fleet = (await stack.createKey('fleet')).key;
    const h = { authorization: `Bearer ${fleet}` };
    const id = await stack.instance('2019', 'cause-a');
    const created = await stack.http('POST', '/v1/campaigns', { mode: 'diagnose', maxConcurrency: 1, targets: [{ instanceId: id, region: 'eu-west-1' }] }, h);
    expect(created.status).toBe(201);
    expect(conforms('CampaignCreation', created.body)).toEqual([]);
    expect(conforms('Campaign', (({ preview, exclusions, exclusionsShown, ...c }) => c)(created.body))).toEqual([]);
    const got = await stack.http('GET', `/v1/campaigns/${created.body.id}`, undefined, h);
    expect(conforms('CampaignProgress', got.body)).toEqual([]);
    expect(conforms('CampaignList', (await stack.http('GET', '/v1/campaigns', undefined, h)).body)).toEqual([]);
    const report = await stack.http('GET', `/v1/campaigns/${created.body.id}/report`, undefined, h);
    expect(conforms('CampaignReportRow', report.body[0])).toEqual([]);
  });
});

/**
 * Every route Nest registered, as "METHOD /path/{param}": the routes Express holds, kept to those
 * whose path and method a controller declares (Nest's discovery), so middleware routes are left out.
 */
function registeredRoutes(stack: Stack): string[] {
  const app = (stack as unknown as { api: INestApplication }).api;
  const declared = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const ctrl = wrapper.metatype as (new (...a: unknown[]) => unknown) | null;
      if (!ctrl) continue;
      const base = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, ctrl) ?? '')[0];
      for (const name of Object.getOwnPropertyNames(ctrl.prototype)) {
        const handler = ctrl.prototype[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        for (const sub of ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, handler) ?? '')) {
          declared.add(`${method} ${('/' + [base, sub].filter(Boolean).join('/')).replace(/\/+/g, '/').replace(/(.)\/$/, '$1')}`);
        }
      }
    }
  }
  const express = app.getHttpAdapter().getInstance();
  const router = express.router ?? express._router;
  const out = new Set<string>();
  for (const layer of router.stack as Json[]) {
    const route = layer.route as Json | undefined;
    if (!route || typeof route.path !== 'string') continue;
    for (const m of Object.keys(route.methods)) {
      const key = `${m.toUpperCase()} ${route.path}`;
      if (declared.has(key)) out.add(key.replace(/:([A-Za-z0-9_]+)/g, '{$1}'));
    }
  }
  // Every declared route must really be registered (a controller left out of its module is not a route).
  expect(out.size).toBe(declared.size);
  return [...out].sort();
}
