import { countScript } from './support/commands';
import { Stack } from './support/stack';

/** Issue 3 §6: reversible changes can be rolled back; role removal says plainly it cannot. */
describe('rollback', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => stack.close());

  it('single-session: the recorded value is put back and verified, as a remediation of mode rollback', async () => {
    const id = await stack.instance('2019', 'cause-a');
    const fix = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'fix' })).id);
    expect(fix.outcome).toBe('fixed');
    expect((await stack.groundTruth(id)).canRdp).toBe(true);

    const res = await stack.http('POST', `/v1/remediations/${fix.id}/rollback`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual(expect.objectContaining({ mode: 'rollback', rollbackOf: fix.id }));
    expect(res.headers.get('location')).toBe(`/v1/remediations/${res.body.id}`);
    const rb = await stack.waitFor(res.body.id);
    expect(rb.outcome).toBe('rolled_back');
    expect(rb.plan.actions).toEqual([{ kind: 'restore-single-session', value: 1 }]);
    expect(rb.changes).toEqual([expect.objectContaining({ setting: 'fSingleSessionPerUser' })]);
    expect(rb.changes[0].after).toEqual(expect.objectContaining({ value: 1 }));
    // Back as it was: the administrator's second logon is refused again.
    expect(await stack.groundTruth(id)).toEqual(expect.objectContaining({ canRdp: false, reasons: ['single_session_conflict'] }));
    expect(countScript(await stack.simCommands(id), 'set-single-session')).toBe(2);
    expect((await stack.get(fix.id)).timeline.map((e: { type: string }) => e.type)).toContain('rollback_requested');
  });

  it('configure-licensing back to "not configured": verified through WMI, which shows it only after a restart (said so)', async () => {
    const id = await stack.instance('2022', 'cause-b', { domain: { role: 3, partOfDomain: true } });
    const fix = await stack.waitFor(
      (await stack.submit({ instanceId: id, mode: 'fix', strategy: 'configure-licensing', licenseServer: 'ls01.corp.example.com', licensingMode: 'per-user' })).id,
    );
    expect(fix.outcome).toBe('fixed');
    const rb = await stack.waitFor((await stack.http('POST', `/v1/remediations/${fix.id}/rollback`)).body.id);
    expect(rb.outcome).toBe('rolled_back');
    // Mode 5 is written to the registry; WMI LicensingType (what the verify reads) keeps 4 until a restart.
    const restore = rb.commands.find((c: { script: { name: string } }) => c.script.name === 'restore-licensing');
    expect(restore.result).toEqual(expect.objectContaining({ ok: true, registryMode: 5, restartNeeded: true, after: { mode: 4, servers: [] } }));
    const verify = rb.commands.filter((c: { script: { name: string } }) => c.script.name === 'verify').pop();
    expect(verify.result.facts.licensing).toEqual(expect.objectContaining({ mode: 4, servers: [] }));
    expect(rb.reasonDetail).toMatch(/restart of TermService or of the server is needed for WMI LicensingType to show it/);
    expect(rb.summary).toMatch(/takes effect in WMI only after TermService or the server restarts/);
    expect(rb.changes).toEqual(expect.arrayContaining([expect.objectContaining({ setting: 'LicensingMode', before: 4, after: 5, restartNeeded: true })]));
    expect(countScript(await stack.simCommands(id), 'restore-licensing')).toBe(1);
    expect(countScript(await stack.simCommands(id), 'restart-computer')).toBe(0);
    // After a restart Windows shows the restored mode.
    await stack.http('POST', `${stack.simUrl}/admin/instances/${id}/restart`);
    for (let i = 0; i < 100; i++) {
      const d = (await stack.http('GET', `${stack.simUrl}/admin/instances/${id}`)).body;
      if (!d.agent.restarting && d.agent.pingStatus === 'Online') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'diagnose' })).id);
    expect(after.diagnosis.licensing).toEqual(expect.objectContaining({ mode: 5, servers: [] }));
  });

  it('configure-licensing between two configured modes: WMI shows the restored mode at once', async () => {
    const id = await stack.instance('2019', 'licensed-ls-unreachable');
    const fix = await stack.waitFor(
      (await stack.submit({ instanceId: id, mode: 'fix', strategy: 'configure-licensing', licenseServer: 'ls02.corp.example.com', licensingMode: 'per-device' })).id,
    );
    expect(fix.outcome).toBe('fixed');
    const rb = await stack.waitFor((await stack.http('POST', `/v1/remediations/${fix.id}/rollback`)).body.id);
    expect(rb.outcome).toBe('rolled_back');
    expect(rb.reasonDetail).toBe('The recorded values were put back and read back as before the fix.');
    const verify = rb.commands.filter((c: { script: { name: string } }) => c.script.name === 'verify').pop();
    expect(verify.result.facts.licensing).toEqual(expect.objectContaining({ mode: 4, servers: ['ls01.corp.example.com'] }));
    // A rollback cannot itself be rolled back: not_reversible.
    const again = await stack.http('POST', `/v1/remediations/${rb.id}/rollback`);
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('not_reversible');
  });

  it('role removal: 409 that says plainly it is not reversible, and nothing is sent', async () => {
    const id = await stack.instance('2016', 'cause-b');
    const fix = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'fix', allowReboot: true })).id);
    expect(fix.outcome).toBe('fixed');
    const before = (await stack.simCommands(id)).length;
    const res = await stack.http('POST', `/v1/remediations/${fix.id}/rollback`);
    expect(res.status).toBe(409);
    // Issue 11: an irreversible change is `not_reversible`, not a wrong state.
    expect(res.body).toEqual(expect.objectContaining({ error: 'not_reversible', state: 'finished' }));
    expect(res.body.message).toMatch(/not reversible/);
    expect((await stack.simCommands(id)).length).toBe(before);
    expect(fix.changes[0]).toEqual(expect.objectContaining({ reversible: false }));
  });

  it('drift: a value changed by someone else since the fix is not overwritten', async () => {
    const id = await stack.instance('2019', 'cause-a');
    const fix = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'fix' })).id);
    await stack.http('PATCH', `${stack.simUrl}/admin/instances/${id}`, { overrides: { singleSession: { value: 1, source: 'local', policyValue: null } } });
    const started = await stack.http('POST', `/v1/remediations/${fix.id}/rollback`);
    expect(started.status).toBe(202);
    const rb = await stack.waitFor(started.body.id);
    expect(rb).toEqual(expect.objectContaining({ outcome: 'refused', reason: 'drift' }));
    expect(countScript(await stack.simCommands(id), 'set-single-session')).toBe(1);
  });

  it('refuses to roll back what is not finished, a rollback, or a diagnose', async () => {
    const id = await stack.instance('2019', 'cause-b');
    const diag = await stack.waitFor((await stack.submit({ instanceId: id, mode: 'diagnose' })).id);
    expect((await stack.http('POST', `/v1/remediations/${diag.id}/rollback`)).status).toBe(409);
    const parked = await stack.submit({ instanceId: id, mode: 'fix' });
    await stack.waitFor(parked.id, ['awaiting_approval']);
    const wrongState = await stack.http('POST', `/v1/remediations/${parked.id}/rollback`);
    expect(wrongState.status).toBe(409);
    expect(wrongState.body).toEqual(expect.objectContaining({ error: 'invalid_state', state: 'awaiting_approval' }));
    expect((await stack.http('POST', '/v1/remediations/00000000-0000-4000-8000-000000000000/rollback')).status).toBe(404);
  });
});
