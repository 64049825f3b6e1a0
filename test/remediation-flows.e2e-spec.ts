import { countScript, scriptsReceived, CHANGING } from './support/commands';
import { Stack } from './support/stack';

/**
 * End to end through HTTP -> PostgreSQL -> BullMQ -> worker -> @aws-sdk/client-ssm -> simulator,
 * asserting what the simulated server looks like afterwards (its ground truth), not just states.
 */
describe('remediation flows (real API, queue, worker, SSM SDK, simulator)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('cause A: lifts the one-session-per-user restriction without a reboot', async () => {
    const id = await stack.instance('2019', 'cause-a');
    expect((await stack.groundTruth(id)).canRdp).toBe(false);
    const created = await stack.submit({ instanceId: id, mode: 'fix' });
    const r = await stack.waitFor(created.id);
    expect(r.outcome).toBe('fixed');
    expect(r.rebooted).toBe(false);
    expect(r.diagnosis.singleSession.value).toBe(1);
    expect(r.plan.actions).toEqual([{ kind: 'allow-multiple-sessions' }]);
    expect(r.changes).toEqual([expect.objectContaining({ setting: 'fSingleSessionPerUser', reversible: true })]);
    expect(r.changes[0].before).toEqual(expect.objectContaining({ value: 1 }));
    expect(r.commands.map((c: any) => c.script.name)).toEqual(['diagnose', 'set-single-session', 'verify']);
    for (const c of r.commands) {
      expect(c).toEqual(expect.objectContaining({ status: 'succeeded', exitCode: 0, commandId: expect.any(String) }));
      expect(c.outputExcerpt).toContain('"ok":true');
    }
    expect(r.timeline.map((e: any) => e.type)).toEqual(expect.arrayContaining(['created', 'started', 'diagnosed', 'planned', 'change_applied', 'finished']));
    // The start is written with the precheck's outcome, in one statement (one now() for both).
    const [, started, online, diagnosing] = r.timeline;
    expect([started.type, online.type, diagnosing.type, diagnosing.step]).toEqual(['started', 'agent_online', 'step_started', 'diagnose']);
    expect(online.at).toBe(started.at);
    expect(await stack.groundTruth(id)).toEqual(expect.objectContaining({ canRdp: true }));
    const cmds = await stack.simCommands(id);
    expect(countScript(cmds, 'restart-computer')).toBe(0);
    expect(countScript(cmds, 'set-single-session')).toBe(1);
  });

  it('cause B with reboot allowed: removes the RDSH role, reboots once and verifies the new boot time', async () => {
    const id = await stack.instance('2022', 'cause-b');
    const created = await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true });
    const r = await stack.waitFor(created.id);
    expect(r.outcome).toBe('fixed');
    expect(r.rebooted).toBe(true);
    const verify = r.commands.filter((c: any) => c.script.name === 'verify').pop();
    expect(new Date(verify.result.facts.bootTime).getTime()).toBeGreaterThan(new Date(r.diagnosis.bootTime).getTime());
    expect(verify.result.facts.rdsh.installed).toBe(false);
    expect(r.changes).toEqual([expect.objectContaining({ setting: 'RDS-RD-Server role', reversible: false })]);
    const cmds = await stack.simCommands(id);
    expect(countScript(cmds, 'remove-rdsh-role')).toBe(1);
    expect(countScript(cmds, 'restart-computer')).toBe(1);
    expect(await stack.groundTruth(id)).toEqual(expect.objectContaining({ canRdp: true }));
  });

  it('cause B without consent: changes NOTHING before approval, shows the plan, then removes and restarts after approve', async () => {
    const id = await stack.instance('2016', 'cause-b');
    const created = await stack.submit({ instanceId: id, mode: 'fix' });
    const parked = await stack.waitFor(created.id, ['awaiting_approval', 'finished']);
    expect(parked.state).toBe('awaiting_approval');
    expect(parked.step).toBe('plan');
    expect(parked.approvalExpiresAt).toEqual(expect.any(String));
    // The exact plan, what is irreversible, and that a restart follows.
    expect(parked.plan).toEqual(expect.objectContaining({ decision: 'act', actions: [{ kind: 'remove-rdsh-role' }], needsReboot: true }));
    const required = parked.timeline.find((e: any) => e.type === 'approval_required');
    expect(required.data).toEqual(expect.objectContaining({ irreversible: ['remove-rdsh-role'], restart: true }));
    expect(parked.preview.join('\n')).toMatch(/cannot be rolled back by rdpfix/);
    expect(parked.preview.join('\n')).toMatch(/changes nothing before your consent/);
    expect(parked.changes).toEqual([]);
    // Give a wrongly eager worker time to misbehave: nothing that changes the server was sent.
    await new Promise((r) => setTimeout(r, 1500));
    expect(scriptsReceived(await stack.simCommands(id))).toEqual(['diagnose']);
    expect((await stack.get(created.id)).state).toBe('awaiting_approval');
    expect((await stack.groundTruth(id)).canRdp).toBe(false);

    const approved = await stack.http('POST', `/v1/remediations/${created.id}/approve`);
    expect(approved.status).toBe(202);
    const r = await stack.waitFor(created.id);
    expect(r.outcome).toBe('fixed');
    expect(r.timeline.map((e: any) => e.type)).toEqual(expect.arrayContaining(['approval_required', 'approved', 'rediagnose', 'change_applied', 'reboot_scheduled']));
    // A fresh diagnosis after the approval, then exactly one removal and one restart.
    expect(scriptsReceived(await stack.simCommands(id)).filter((n) => n !== 'verify')).toEqual(['diagnose', 'diagnose', 'remove-rdsh-role', 'restart-computer']);
    expect((await stack.groundTruth(id)).canRdp).toBe(true);
    // A second approve is a conflict, not a second reboot.
    expect((await stack.http('POST', `/v1/remediations/${created.id}/approve`)).status).toBe(409);
  });

  it('consent first: if the server changed before the approval, the approved plan is not applied', async () => {
    const id = await stack.instance('2019', 'cause-b');
    const created = await stack.submit({ instanceId: id, mode: 'fix' });
    await stack.waitFor(created.id, ['awaiting_approval']);
    // Meanwhile someone configures licensing with a working license server.
    await stack.http('PATCH', `${stack.simUrl}/admin/instances/${id}`, {
      overrides: { domain: { role: 3, partOfDomain: true }, licensing: { mode: 4, servers: ['ls01.corp.example.com'], reachability: { 'ls01.corp.example.com': 11 } } },
    });
    expect((await stack.http('POST', `/v1/remediations/${created.id}/approve`)).status).toBe(202);
    const r = await stack.waitFor(created.id);
    expect(r.outcome).toBe('already_healthy');
    expect(r.reasonDetail).toMatch(/After the approval the server no longer needed the fix/);
    expect(scriptsReceived(await stack.simCommands(id)).filter((n) => CHANGING.includes(n))).toEqual([]);
  });

  it('consent first: cancelling while awaiting approval leaves the server untouched and says so', async () => {
    const id = await stack.instance('2019', 'cause-b');
    const created = await stack.submit({ instanceId: id, mode: 'fix' });
    const parked = await stack.waitFor(created.id, ['awaiting_approval']);
    expect(parked.state).toBe('awaiting_approval');
    // Nothing was applied, and the text says that.
    const cancelled = await stack.http('POST', `/v1/remediations/${created.id}/cancel`);
    expect(cancelled.body.reasonDetail).toBe('Cancelled while waiting for approval; nothing was changed.');
    expect(scriptsReceived(await stack.simCommands(id)).filter((n) => CHANGING.includes(n))).toEqual([]);
  });

  it('agent offline: fails with agent_offline and VNC advice, and sends no command', async () => {
    const id = await stack.instance('2019', 'cause-b');
    await stack.setAgent(id, false);
    const created = await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true });
    const r = await stack.waitFor(created.id);
    expect(r.outcome).toBe('failed');
    expect(r.reason).toBe('agent_offline');
    expect(r.reasonDetail).toMatch(/VNC/);
    expect(r.commands).toHaveLength(0);
    expect(await stack.simCommands(id)).toHaveLength(0);
    // Started and finished by the precheck's one write.
    expect(r.timeline.map((e: any) => e.type)).toEqual(['created', 'started', 'finished']);
    expect(r.timeline[2].at).toBe(r.timeline[1].at);
  });

  it('a failing script: diagnose fails, the remediation fails with command_failed and changes nothing', async () => {
    const id = await stack.instance('2019', 'cause-a');
    await stack.setFaults(id, { scriptFailureRate: 1 });
    const created = await stack.submit({ instanceId: id, mode: 'fix' });
    const r = await stack.waitFor(created.id);
    expect(r.outcome).toBe('failed');
    expect(r.reason).toBe('command_failed');
    expect(r.commands).toHaveLength(1);
    expect(r.commands[0]).toEqual(expect.objectContaining({ status: 'failed', exitCode: expect.any(Number) }));
    expect(r.commands[0].exitCode).not.toBe(0);
    expect(scriptsReceived(await stack.simCommands(id)).filter((n) => CHANGING.includes(n))).toEqual([]);
  });

  it('a command that times out: fails with command_timed_out', async () => {
    const id = await stack.instance('2019', 'cause-a');
    await stack.setFaults(id, { hangScripts: ['diagnose'] });
    const created = await stack.submit({ instanceId: id, mode: 'fix' });
    const r = await stack.waitFor(created.id, ['finished'], 90_000);
    expect(r.outcome).toBe('failed');
    expect(r.reason).toBe('command_timed_out');
    expect(r.commands[0].status).toBe('timed_out');
    expect(scriptsReceived(await stack.simCommands(id)).filter((n) => CHANGING.includes(n))).toEqual([]);
  }, 120_000);

  it('diagnose mode: stops after planning with the plan as a preview and changes nothing', async () => {
    const id = await stack.instance('2012R2', 'cause-a-and-b');
    const created = await stack.submit({ instanceId: id, mode: 'diagnose' });
    const r = await stack.waitFor(created.id);
    expect(r.outcome).toBe('diagnosed');
    expect(r.plan.decision).toBe('act');
    expect(r.plan.causes).toEqual(expect.arrayContaining(['single_session', 'licensing_lockout']));
    expect(scriptsReceived(await stack.simCommands(id))).toEqual(['diagnose']);
  });

  it('a healthy server ends already_healthy', async () => {
    const id = await stack.instance('2025', 'healthy');
    const r = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'fix' })).id);
    expect(r.outcome).toBe('already_healthy');
    expect(scriptsReceived(await stack.simCommands(id))).toEqual(['diagnose']);
  });

  it('one active remediation per instance: a second request gets 409 naming the active one', async () => {
    const id = await stack.instance('2019', 'cause-b');
    const first = await stack.submit({ instanceId: id, mode: 'fix' });
    const second = await stack.http('POST', '/v1/remediations', { instanceId: id, region: 'eu-west-1', mode: 'diagnose' });
    expect(second.status).toBe(409);
    expect(second.body.activeRemediationId).toBe(first.id);
    await stack.waitFor(first.id, ['awaiting_approval']);
    const cancelled = await stack.http('POST', `/v1/remediations/${first.id}/cancel`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.outcome).toBe('cancelled');
    // The instance is free again.
    const third = await stack.submit({ instanceId: id, mode: 'diagnose' });
    expect((await stack.waitFor(third.id)).outcome).toBe('diagnosed');
  });

  it('lists newest first with cursor pagination and filters', async () => {
    const id = await stack.instance('2019', 'healthy');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await stack.submit({ instanceId: id, mode: 'diagnose' });
      ids.push(c.id);
      await stack.waitFor(c.id);
    }
    const p1 = await stack.http('GET', `/v1/remediations?instanceId=${id}&limit=2`);
    expect(p1.status).toBe(200);
    expect(p1.body.items.map((i: any) => i.id)).toEqual([ids[2], ids[1]]);
    expect(p1.body.nextCursor).toEqual(expect.any(String));
    const p2 = await stack.http('GET', `/v1/remediations?instanceId=${id}&limit=2&cursor=${encodeURIComponent(p1.body.nextCursor)}`);
    expect(p2.body.items.map((i: any) => i.id)).toEqual([ids[0]]);
    expect(p2.body.nextCursor).toBeNull();
    const finished = await stack.http('GET', `/v1/remediations?instanceId=${id}&state=finished`);
    expect(finished.body.items).toHaveLength(3);
    const active = await stack.http('GET', `/v1/remediations?instanceId=${id}&state=running`);
    expect(active.body.items).toHaveLength(0);
  });

  it('consent first: if the approved plan no longer fits the server, nothing is done (plan_changed)', async () => {
    const id = await stack.instance('2019', 'cause-b');
    const created = await stack.submit({ instanceId: id, mode: 'fix' });
    await stack.waitFor(created.id, ['awaiting_approval']);
    // Meanwhile the administrator logs on: the single-session restriction now blocks a logon too,
    // so the plan would change two settings instead of the one that was approved.
    await stack.http('PATCH', `${stack.simUrl}/admin/instances/${id}`, { overrides: { sessions: [{ username: 'administrator', id: 2 }] } });
    expect((await stack.http('POST', `/v1/remediations/${created.id}/approve`)).status).toBe(202);
    const r = await stack.waitFor(created.id);
    expect(r).toEqual(expect.objectContaining({ outcome: 'refused', reason: 'plan_changed' }));
    expect(r.reasonDetail).toMatch(/approved plan was: remove-rdsh-role \+ restart.*needs: allow-multiple-sessions, remove-rdsh-role \+ restart/);
    expect(scriptsReceived(await stack.simCommands(id)).filter((n) => CHANGING.includes(n))).toEqual([]);
  });

  describe('issue 7 request fields', () => {
    const post = (body: object, headers?: Record<string, string>) => stack.http('POST', '/v1/remediations', { region: 'eu-west-1', ...body }, headers);

    it('symptom makes the single-session restriction a cause even with nobody logged on', async () => {
      const id = await stack.instance('2019', 'healthy');
      const plain = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'diagnose' })).id);
      expect(plain.plan.decision).toBe('healthy');
      expect(plain.preview.join(' ')).toMatch(/reported, not changed/);
      const res = await post({ instanceId: id, mode: 'fix', symptom: 'another-user-logged-on', symptomAccount: 'CORP\\alice' });
      expect(res.status).toBe(202);
      expect(res.body).toEqual(expect.objectContaining({ symptom: 'another-user-logged-on', symptomAccount: 'CORP\\alice', removeRoleDespiteLicensing: false }));
      const r = await stack.waitFor(res.body.id);
      expect(r.outcome).toBe('fixed');
      expect(r.plan.notes.join(' ')).toMatch(/no active session of CORP\\alice/);
      expect(scriptsReceived(await stack.simCommands(id)).filter((n) => CHANGING.includes(n))).toEqual(['set-single-session']);
    });

    it.each([
      ['an unknown symptom', { symptom: 'slow' }, 'symptom'],
      ['symptomAccount without symptom', { symptomAccount: 'alice' }, 'symptomAccount'],
      ['a symptomAccount with a forbidden character', { symptom: 'another-user-logged-on', symptomAccount: 'a/b' }, 'symptomAccount'],
      ['removeRoleDespiteLicensing as a boolean', { removeRoleDespiteLicensing: true }, 'removeRoleDespiteLicensing'],
      ['removeRoleDespiteLicensing naming another instance', { removeRoleDespiteLicensing: 'i-0123456789abcdef1' }, 'removeRoleDespiteLicensing'],
      ['removeRoleDespiteLicensing with configure-licensing', { removeRoleDespiteLicensing: '$id', strategy: 'configure-licensing', licenseServer: 'ls1', licensingMode: 'per-device' }, 'removeRoleDespiteLicensing'],
    ])('400 for %s, and nothing is written', async (_n, extra, field) => {
      const id = await stack.instance('2019', 'licensed-ls-unreachable');
      const body: Record<string, unknown> = { instanceId: id, mode: 'fix', ...extra };
      if (body.removeRoleDespiteLicensing === '$id') body.removeRoleDespiteLicensing = id;
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect((await stack.http('GET', `/v1/remediations?instanceId=${id}`)).body.items).toEqual([]);
      expect(await stack.simCommands(id)).toEqual([]);
    });

    it('a console key cannot send removeRoleDespiteLicensing (403), support can', async () => {
      const consoleKey = (await stack.createKey('console', 'tenant-a')).key;
      const id = await stack.instance('2019', 'licensed-ls-unreachable');
      const denied = await post({ instanceId: id, mode: 'fix', allowReboot: true, removeRoleDespiteLicensing: id }, { authorization: `Bearer ${consoleKey}` });
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual(expect.objectContaining({ statusCode: 403, error: 'forbidden', fields: [expect.objectContaining({ field: 'removeRoleDespiteLicensing' })] }));
      expect((await stack.http('GET', `/v1/remediations?instanceId=${id}`)).body.items).toEqual([]);
      // Without the field the console gets the refusal, and nothing changes.
      const refused = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true }, { authorization: `Bearer ${consoleKey}` })).id);
      expect(refused).toEqual(expect.objectContaining({ outcome: 'refused', reason: 'license_server_unreachable' }));
      // A support key may ask explicitly.
      const supportKey = (await stack.createKey('support')).key;
      const removed = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true, removeRoleDespiteLicensing: id }, { authorization: `Bearer ${supportKey}` })).id);
      expect(removed.outcome).toBe('fixed');
      expect(removed.plan.actions).toEqual([{ kind: 'remove-rdsh-role', despiteLicensing: true }]);
      expect(scriptsReceived(await stack.simCommands(id)).filter((n) => CHANGING.includes(n))).toEqual(['remove-rdsh-role', 'restart-computer']);
    });
  });
});
