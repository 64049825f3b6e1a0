import { GetCommandInvocationCommand, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { randomUUID } from 'crypto';
import { CHANGING_SCRIPTS, SCRIPT_NAMES, ScriptName } from '@rdpfix/runbook/contract';
import { parseScriptOutput } from '@rdpfix/runbook/parse-result';
import { parseQuserRows } from '@rdpfix/runbook/quser';
import { renderScript } from '@rdpfix/runbook/render-script';
import { SCRIPT_PARAM_EXAMPLES } from '@rdpfix/runbook/script-params';
import { RunningSimulator, startSimulator } from '@rdpfix/sim';

/**
 * Cross-check with the real runbook: every rendered .ps1 is recognised by the simulator, and
 * what the simulator prints passes the runbook's own result parser and quser parser.
 */
describe('agent-sim runs the real rendered runbook scripts', () => {
  let sim: RunningSimulator;
  let ssm: SSMClient;

  beforeAll(async () => {
    sim = await startSimulator({ invisibleMs: 20, pendingMs: 20, runMs: 30, rebootDelayScale: 0.01, rebootDownMs: 100 });
    ssm = new SSMClient({ endpoint: sim.url, region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  });

  afterAll(async () => {
    ssm.destroy();
    await sim.close();
  });

  const run = async (instanceId: string, name: ScriptName) => {
    // A changing script carries a fresh run id, as the engine sends it (the run-id guard).
    const rendered = renderScript(name, CHANGING_SCRIPTS.has(name) ? { ...SCRIPT_PARAM_EXAMPLES[name], runId: randomUUID() } : SCRIPT_PARAM_EXAMPLES[name]);
    const sent = await ssm.send(
      new SendCommandCommand({ DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [instanceId], Parameters: { commands: [rendered.text] } }),
    );
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      try {
        const r = await ssm.send(new GetCommandInvocationCommand({ CommandId: sent.Command!.CommandId!, InstanceId: instanceId }));
        if (!['Pending', 'InProgress', 'Delayed'].includes(r.Status!)) return { r, rendered };
      } catch (e) {
        if ((e as Error).name !== 'InvocationDoesNotExist') throw e;
      }
    }
  };

  it.each(SCRIPT_NAMES.map((n) => [n]))('%s: recognised, and its result line passes parseScriptOutput', async (name) => {
    const inst = sim.admin.createInstance({
      tenantId: 't',
      region: 'eu-west-1',
      os: '2022',
      preset: 'cause-a-and-b',
      overrides: {
        domain: { role: 3, partOfDomain: true },
        sessions: [
          { username: 'administrator', id: 2, sessionName: 'rdp-tcp#0' },
          { username: 'bob', id: 3, state: 'Disc', idleMinutes: 62 },
        ],
      },
    });
    const { r, rendered } = await run(inst.instanceId, name);
    expect(r.Status).toBe('Success');
    const parsed = parseScriptOutput(r.StandardOutputContent!, r.StandardErrorContent, { script: rendered.name, version: rendered.version });
    expect(parsed).toMatchObject({ kind: 'ok', result: { ok: true } });
    const cmd = sim.admin.commands(inst.instanceId)[0];
    expect(cmd).toMatchObject({ scriptName: name, scriptVersion: rendered.version, recognized: true, params: rendered.params });
    if (parsed.kind === 'ok' && (name === 'diagnose' || name === 'verify')) {
      const facts = (parsed.result as { facts: { sessions: string[] } }).facts;
      expect(parseQuserRows(facts.sessions).map((s) => [s.username, s.id, s.state])).toEqual([
        ['administrator', 2, 'active'],
        ['bob', 3, 'disconnected'],
      ]);
    }
  });

  it('diagnose on a server with failed reads: every unknown fact passes the runbook parser as null, with its read named', async () => {
    const inst = sim.admin.createInstance({
      tenantId: 't',
      region: 'eu-west-1',
      os: '2012R2',
      preset: 'licensed-ok',
      overrides: {
        readFailures: { ts: 'Win32_TerminalServiceSetting: Invalid class', domain: 'Access denied', features: 'x', sessions: 'quser exit code 5', fw: 'y' },
        licensing: { reachability: { 'ls01.corp.example.com': -1 } },
      },
    });
    const { r, rendered } = await run(inst.instanceId, 'diagnose');
    const parsed = parseScriptOutput(r.StandardOutputContent!, r.StandardErrorContent, { script: rendered.name, version: rendered.version });
    expect(parsed.kind).toBe('ok');
    if (parsed.kind !== 'ok') return;
    const facts = (parsed.result as { facts: Record<string, any> }).facts;
    expect(Object.keys(facts.unknown)).toEqual(['ts', 'features', 'domain', 'fw', 'sessions']);
    expect(facts.rdsh).toEqual({ installed: null, terminalServerMode: null, removalPending: null });
    expect(facts.domain).toEqual({ role: null, partOfDomain: null, isDomainController: false });
    expect(facts.sessions).toBeNull();
    expect(parsed.line.length).toBeLessThan(2500);
  });

  it('restart-computer does not restart a server that booted after the expected boot time', async () => {
    const inst = sim.admin.createInstance({ tenantId: 't', region: 'eu-west-1', os: '2022', preset: 'healthy' });
    const rendered = renderScript('restart-computer', { delaySeconds: 5, expectedBootTime: '2020-01-01T00:00:00Z' });
    const sent = await ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [inst.instanceId], Parameters: { commands: [rendered.text] } }));
    let out: string | undefined;
    for (let i = 0; i < 200 && out === undefined; i++) {
      await new Promise((res) => setTimeout(res, 20));
      try {
        const g = await ssm.send(new GetCommandInvocationCommand({ CommandId: sent.Command!.CommandId!, InstanceId: inst.instanceId }));
        if (g.Status === 'Success') out = g.StandardOutputContent;
      } catch {
        /* not visible yet */
      }
    }
    expect(parseScriptOutput(out ?? '', '', { script: 'restart-computer', version: rendered.version })).toMatchObject({ kind: 'ok', result: { ok: true, scheduled: false, alreadyRestarted: true } });
    expect(sim.store.getRuntime(inst.instanceId)!.rebootAt).toBeNull();
  });
});
