import { CHANGING, countScript, scriptsReceived } from '../support/commands';
import { Json, Stack } from '../support/stack';
import { expectErrorShape } from './support/error-shape';

/**
 * Issue 9 §1: ownership is checked on every action, at the API against the live inventory and
 * again in the worker's precheck. An instance that moved to another tenant gets nothing: a
 * rollback or an approval answers 404 (whoever asks), and a remediation made for the old owner
 * fails in precheck without sending a command. Each case counts what reached the server.
 */
describe('ownership when an instance changes tenant', () => {
  let stack: Stack;
  const keys: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${keys[who]}` });
  const transfer = async (instanceId: string, tenantId: string) => {
    const res = await stack.http('PUT', `${stack.simUrl}/admin/instances/${instanceId}/owner`, { tenantId });
    expect(res.status).toBe(200);
    expect((await stack.http('GET', `${stack.simUrl}/inventory/instances/${instanceId}`)).body.tenantId).toBe(tenantId);
  };
  const changing = async (instanceId: string) => scriptsReceived(await stack.simCommands(instanceId)).filter((s) => CHANGING.includes(s));

  beforeAll(async () => {
    stack = await Stack.start();
    keys.admin = stack.adminKey;
    keys.support = (await stack.createKey('support')).key;
    keys.consoleA = (await stack.createKey('console', 'tenant-a')).key;
    keys.consoleB = (await stack.createKey('console', 'tenant-b')).key;
  });
  afterAll(async () => stack.close());

  it('rollback after the instance moved to another tenant: 404 for every caller, nothing sent', async () => {
    const inst = await stack.instance('2019', 'cause-a', undefined, 'tenant-a');
    const fix = await stack.waitFor((await stack.submit({ instanceId: inst, mode: 'fix', source: 'console' }, as('consoleA'))).id);
    expect(fix).toEqual(expect.objectContaining({ outcome: 'fixed', tenantId: 'tenant-a' }));
    const sentBefore = await changing(inst);
    expect(sentBefore).toEqual(['set-single-session']);

    await transfer(inst, 'tenant-b');
    for (const who of ['consoleA', 'support', 'admin', 'consoleB']) {
      const res = await stack.http('POST', `/v1/remediations/${fix.id}/rollback`, undefined, as(who));
      expect({ who, status: res.status }).toEqual({ who, status: 404 });
      expectErrorShape(res.body, 404);
    }
    // Nothing was created and nothing reached the server.
    expect((await stack.http('GET', `/v1/remediations?instanceId=${inst}`)).body.items).toHaveLength(1);
    expect(await changing(inst)).toEqual(sentBefore);

    // The 404 was the ownership check: back with its tenant, the same rollback is accepted.
    await transfer(inst, 'tenant-a');
    const ok = await stack.http('POST', `/v1/remediations/${fix.id}/rollback`, undefined, as('consoleA'));
    expect(ok.status).toBe(202);
    expect((await stack.waitFor(ok.body.id)).outcome).toBe('rolled_back');
    expect(countScript(await stack.simCommands(inst), 'set-single-session')).toBe(2);
  });

  it('approval after the instance moved: 404 for every caller, no restart; approvable again once it is back', async () => {
    const inst = await stack.instance('2022', 'cause-b', undefined, 'tenant-a');
    const c = await stack.submit({ instanceId: inst, mode: 'fix', source: 'console' }, as('consoleA'));
    await stack.waitFor(c.id, ['awaiting_approval']);

    await transfer(inst, 'tenant-b');
    for (const who of ['consoleA', 'support', 'admin', 'consoleB']) {
      const res = await stack.http('POST', `/v1/remediations/${c.id}/approve`, undefined, as(who));
      expect({ who, status: res.status }).toEqual({ who, status: 404 });
    }
    const after = await stack.get(c.id);
    expect(after.state).toBe('awaiting_approval');
    expect(after.timeline.map((e: Json) => e.type)).not.toContain('approved');
    expect(countScript(await stack.simCommands(inst), 'restart-computer')).toBe(0);

    await transfer(inst, 'tenant-a');
    expect((await stack.http('POST', `/v1/remediations/${c.id}/approve`, undefined, as('consoleA'))).status).toBe(202);
    expect((await stack.waitFor(c.id)).outcome).toBe('fixed');
    expect(countScript(await stack.simCommands(inst), 'restart-computer')).toBe(1);
  });

  it('precheck: a remediation whose instance moved between create and run fails before sending anything', async () => {
    await stack.stopInProcessWorker();
    try {
      const inst = await stack.instance('2019', 'cause-a', undefined, 'tenant-a');
      const c = await stack.submit({ instanceId: inst, mode: 'fix', source: 'console' }, as('consoleA'));
      expect(c.tenantId).toBe('tenant-a');
      await transfer(inst, 'tenant-b');
      await stack.startInProcessWorker();
      const r = await stack.waitFor(c.id);
      expect(r).toEqual(expect.objectContaining({ outcome: 'failed', reason: 'instance_not_found' }));
      expect(r.reasonDetail).toMatch(/no longer belongs to tenant tenant-a/);
      expect(r.commands).toEqual([]);
      expect(await stack.simCommands(inst)).toEqual([]);
    } finally {
      await stack.startInProcessWorker();
    }
  });

  it('precheck: a rollback accepted while the instance was still the tenant\'s, run after it moved, sends nothing', async () => {
    const inst = await stack.instance('2019', 'cause-a', undefined, 'tenant-a');
    const fix = await stack.waitFor((await stack.submit({ instanceId: inst, mode: 'fix' }, as('support'))).id);
    expect(fix).toEqual(expect.objectContaining({ outcome: 'fixed', tenantId: 'tenant-a' })); // precheck recorded the owner
    await stack.stopInProcessWorker();
    try {
      const rb = await stack.http('POST', `/v1/remediations/${fix.id}/rollback`, undefined, as('support'));
      expect(rb.status).toBe(202);
      expect(rb.body.tenantId).toBe('tenant-a');
      await transfer(inst, 'tenant-b');
      await stack.startInProcessWorker();
      const r = await stack.waitFor(rb.body.id);
      expect(r).toEqual(expect.objectContaining({ mode: 'rollback', outcome: 'failed', reason: 'instance_not_found' }));
      expect(countScript(await stack.simCommands(inst), 'set-single-session')).toBe(1);
    } finally {
      await stack.startInProcessWorker();
    }
  });

  it('the new owner cannot see or act on the old owner\'s remediations; reads and cancel stay with the old owner', async () => {
    const inst = await stack.instance('2019', 'healthy', undefined, 'tenant-a');
    const c = await stack.waitFor((await stack.submit({ instanceId: inst, mode: 'diagnose' }, as('consoleA'))).id);
    await transfer(inst, 'tenant-b');
    for (const [method, path] of [
      ['GET', `/v1/remediations/${c.id}`],
      ['POST', `/v1/remediations/${c.id}/cancel`],
      ['POST', `/v1/remediations/${c.id}/approve`],
      ['POST', `/v1/remediations/${c.id}/rollback`],
    ]) {
      const res = await stack.http(method, path, undefined, as('consoleB'));
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    const events = await fetch(`${stack.apiUrl}/v1/remediations/${c.id}/events`, { headers: as('consoleB') });
    expect(events.status).toBe(404);
    await events.text();
    expect((await stack.http('GET', `/v1/remediations?instanceId=${inst}`, undefined, as('consoleB'))).body.items).toEqual([]);
    // The record stays readable by the tenant it was made for.
    expect((await stack.http('GET', `/v1/remediations/${c.id}`, undefined, as('consoleA'))).status).toBe(200);
    expect((await stack.http('GET', `/v1/remediations?instanceId=${inst}`, undefined, as('consoleA'))).body.items.map((i: Json) => i.id)).toEqual([c.id]);
    // ...and the new owner may start its own.
    const own = await stack.submit({ instanceId: inst, mode: 'diagnose' }, as('consoleB'));
    expect(own.tenantId).toBe('tenant-b');
    await stack.waitFor(own.id);
  });
});
