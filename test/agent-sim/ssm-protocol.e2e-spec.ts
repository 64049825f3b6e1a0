import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  GetCommandInvocationCommandOutput,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SSMClient,
  SendCommandCommand,
} from '@aws-sdk/client-ssm';
import { lastJsonLine, renderScriptText, RunningSimulator, startSimulator } from '@rdpfix/sim';

const REGION = 'us-east-1';
const credentials = { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' };

describe('agent-sim speaks SSM to the real @aws-sdk/client-ssm', () => {
  let sim: RunningSimulator;
  let ssm: SSMClient;

  const SIM_OPTIONS = { invisibleMs: 150, pendingMs: 300, runMs: 200, cancelMs: 50, rebootDownMs: 600, rebootDelayScale: 0.01, timeoutScale: 0.01, seed: 7 };

  const client = (opts: { region?: string; maxAttempts?: number } = {}) =>
    new SSMClient({ endpoint: sim.url, region: opts.region ?? REGION, credentials, maxAttempts: opts.maxAttempts ?? 1 });

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  const createInstance = async (preset: string, extra: Record<string, unknown> = {}) => {
    const res = await admin('POST', '/admin/instances', { tenantId: 'tenant-a', region: REGION, os: '2019', preset, ...extra });
    expect(res.status).toBe(201);
    return res.body.instanceId as string;
  };

  const send = (instanceIds: string[], script: string, extra: { timeoutSeconds?: number; executionTimeout?: string } = {}) =>
    ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunPowerShellScript',
        InstanceIds: instanceIds,
        Comment: 'rdpfix:run-42',
        TimeoutSeconds: extra.timeoutSeconds ?? 600,
        Parameters: { commands: [script], ...(extra.executionTimeout ? { executionTimeout: [extra.executionTimeout] } : {}) },
      }),
    );

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Polls GetCommandInvocation (InvocationDoesNotExist = not yet) until a terminal status. */
  const waitTerminal = async (commandId: string, instanceId: string, seen: string[] = [], timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const r = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
        const label = r.StatusDetails === r.Status ? r.Status! : `${r.Status}/${r.StatusDetails}`;
        if (seen[seen.length - 1] !== label) seen.push(label);
        if (['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(r.Status!)) return r;
      } catch (e) {
        if ((e as Error).name !== 'InvocationDoesNotExist') throw e;
        if (seen[seen.length - 1] !== 'InvocationDoesNotExist') seen.push('InvocationDoesNotExist');
      }
      if (Date.now() > deadline) throw new Error(`no terminal status for ${commandId}; saw ${seen.join(' → ')}`);
      await sleep(25);
    }
  };

  const pingStatus = async (instanceId: string) => {
    const r = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] }));
    return r.InstanceInformationList![0];
  };

  beforeAll(async () => {
    sim = await startSimulator(SIM_OPTIONS);
    ssm = client();
  });

  afterEach(async () => {
    await admin('POST', '/admin/reset');
  });

  afterAll(async () => {
    ssm.destroy();
    await sim.close();
  });

  it('send → InvocationDoesNotExist → Pending → InProgress → Success with the JSON result last', async () => {
    // Its own simulator with windows in seconds: the test reads the invisible and the pending phase
    // with real SDK calls, which take hundreds of milliseconds on a loaded 2-core machine.
    const shared = { sim, ssm };
    sim = await startSimulator({ ...SIM_OPTIONS, invisibleMs: 2000, pendingMs: 3500 });
    ssm = client();
    try {
      await invisibleThenPendingThenSuccess();
    } finally {
      ssm.destroy();
      await sim.close();
      ({ sim, ssm } = shared);
    }
  });

  const invisibleThenPendingThenSuccess = async () => {
    const id = await createInstance('cause-a-and-b');
    const sentAt = Date.now();
    const sent = await send([id], renderScriptText('diagnose', 1));
    const commandId = sent.Command!.CommandId!;
    expect(commandId).toHaveLength(36);
    expect(sent.Command).toMatchObject({ Status: 'Pending', Comment: 'rdpfix:run-42', TargetCount: 1, DocumentName: 'AWS-RunPowerShellScript' });
    expect(sent.Command!.RequestedDateTime).toBeInstanceOf(Date);

    await expect(ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }))).rejects.toMatchObject({
      name: 'InvocationDoesNotExist',
    });
    const listed = await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId }));
    expect(listed.CommandInvocations).toEqual([]);

    await sleep(Math.max(0, sentAt + 2100 - Date.now()));
    const pending = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }));
    expect(pending).toMatchObject({ Status: 'Pending', StatusDetails: 'Pending', ResponseCode: -1, ExecutionStartDateTime: '', StandardOutputContent: '' });

    const seen: string[] = ['InvocationDoesNotExist', pending.Status!];
    const done = await waitTerminal(commandId, id, seen);
    expect(seen).toContain('InProgress');
    expect(done).toMatchObject({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, Comment: 'rdpfix:run-42', PluginName: 'aws:runPowerShellScript' });
    expect(done.ExecutionStartDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(done.ExecutionEndDateTime!)).toBeGreaterThanOrEqual(Date.parse(done.ExecutionStartDateTime!));
    expect(done.ExecutionElapsedTime).toMatch(/^PT[\d.]+S$/);
    const result = lastJsonLine<{ script: string; ok: boolean; facts: Record<string, any> }>(done.StandardOutputContent!);
    expect(result).toMatchObject({ script: 'diagnose', ok: true });
    expect(result.facts.rdsh.installed).toBe(true);
    expect(result.facts.singleSession).toEqual({ value: 1, source: 'local' });
    expect(result.facts.sessions[0]).toMatch(/^administrator rdp-tcp#0 2 Active \. /);

    const history = await admin('GET', `/admin/instances/${id}/commands`);
    expect(history.body.commands[0]).toMatchObject({
      commandId,
      scriptName: 'diagnose',
      scriptVersion: 1,
      comment: 'rdpfix:run-42',
      status: 'Success',
      changing: false,
    });
  };

  it('validates SendCommand like the service', async () => {
    const id = await createInstance('healthy');
    const many = Array.from({ length: 51 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    await expect(send(many, renderScriptText('diagnose', 1))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(send(['i-0000000000000dead'], renderScriptText('diagnose', 1))).rejects.toMatchObject({ name: 'InvalidInstanceId' });
    await expect(send([id, id], renderScriptText('diagnose', 1))).rejects.toMatchObject({ name: 'DuplicateInstanceId' });
    await expect(
      ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [id], Parameters: { commands: ['ls'] } })),
    ).rejects.toMatchObject({ name: 'InvalidDocument' });
    await expect(
      ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [id], Parameters: { command: ['x'] } })),
    ).rejects.toMatchObject({ name: 'InvalidParameters' });
    await expect(send([id], renderScriptText('diagnose', 1), { executionTimeout: '0' })).rejects.toMatchObject({ name: 'InvalidParameters' });
    await expect(send([id], renderScriptText('diagnose', 1), { timeoutSeconds: 10 })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      ssm.send(new GetCommandInvocationCommand({ CommandId: '00000000-0000-0000-0000-000000000000', InstanceId: id })),
    ).rejects.toMatchObject({ name: 'InvalidCommandId' });
    // The instance lives in us-east-1; another region's endpoint does not know it.
    const eu = client({ region: 'eu-west-1' });
    await expect(eu.send(new SendCommandCommand({ DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [id], Parameters: { commands: ['x'] } }))).rejects.toMatchObject({
      name: 'InvalidInstanceId',
    });
    eu.destroy();

    const raw = await fetch(sim.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.DescribePatches' }, body: '{}' });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const bad = await fetch(sim.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.SendCommand' }, body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ __type: 'SerializationException' });
  });

  it('fails an unknown script like PowerShell', async () => {
    const id = await createInstance('healthy');
    const sent = await send([id], 'Get-RdpMagic -Fix\nexit 0');
    const done = await waitTerminal(sent.Command!.CommandId!, id);
    expect(done).toMatchObject({ Status: 'Failed', ResponseCode: 1, StandardOutputContent: '' });
    expect(done.StandardErrorContent).toContain("The term 'Get-RdpMagic' is not recognized as the name of a cmdlet");
  });

  it('surfaces ThrottlingException after the SDK gives up retrying', async () => {
    const id = await createInstance('healthy');
    await admin('PUT', '/admin/faults', { throttleRate: 1 });
    await expect(pingStatus(id)).rejects.toMatchObject({ name: 'ThrottlingException' });
    const before = (await admin('GET', '/admin/stats')).body.throttled;
    const retrying = client({ maxAttempts: 3 });
    await expect(retrying.send(new DescribeInstanceInformationCommand({}))).rejects.toMatchObject({ name: 'ThrottlingException' });
    retrying.destroy();
    const stats = (await admin('GET', '/admin/stats')).body;
    expect(stats.throttled - before).toBe(3);
    expect(stats.throttledByOp.DescribeInstanceInformation).toBe(stats.throttled);

    await admin('PUT', '/admin/faults', { apiRateLimit: 2 });
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => ssm.send(new DescribeInstanceInformationCommand({}))));
    const throttled = outcomes.filter((o) => o.status === 'rejected' && (o.reason as Error).name === 'ThrottlingException');
    expect(throttled.length).toBeGreaterThanOrEqual(3);
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThanOrEqual(2);
  });

  it('cancels a command before it starts, without its effect', async () => {
    const id = await createInstance('cause-a');
    const sent = await send([id], renderScriptText('set-single-session', 1, { value: 0 }));
    await ssm.send(new CancelCommandCommand({ CommandId: sent.Command!.CommandId! }));
    const seen: string[] = [];
    const done = await waitTerminal(sent.Command!.CommandId!, id, seen);
    expect(done).toMatchObject({ Status: 'Cancelled', StatusDetails: 'Cancelled', ResponseCode: -1 });
    const detail = await admin('GET', `/admin/instances/${id}`);
    expect(detail.body.instance.singleSession.value).toBe(1);
    expect(detail.body.groundTruth).toEqual({ canRdp: false, reasons: ['single_session_conflict'] });
    expect(detail.body.commands[0]).toMatchObject({ status: 'Cancelled', changing: true, effectApplied: false });
  });

  it('agent offline: ConnectionLost, Pending/Delayed, then DeliveryTimedOut', async () => {
    const id = await createInstance('cause-b');
    await admin('POST', `/admin/instances/${id}/agent`, { online: false });
    expect((await pingStatus(id)).PingStatus).toBe('ConnectionLost');
    // 400 s × timeoutScale 0.01 = 4 s: time enough to see Pending/Delayed on a loaded machine.
    const sent = await send([id], renderScriptText('diagnose', 1), { timeoutSeconds: 400 });
    const seen: string[] = [];
    const done = await waitTerminal(sent.Command!.CommandId!, id, seen);
    expect(seen).toContain('Pending/Delayed');
    expect(done).toMatchObject({ Status: 'TimedOut', StatusDetails: 'DeliveryTimedOut', ResponseCode: -1, ExecutionStartDateTime: '' });
  });

  it('a hanging script ends TimedOut / ExecutionTimedOut', async () => {
    const id = await createInstance('cause-b');
    await admin('PUT', `/admin/instances/${id}/faults`, { hangScripts: ['remove-rdsh-role'] });
    const sent = await send([id], renderScriptText('remove-rdsh-role', 1), { executionTimeout: '30' });
    const seen: string[] = [];
    const done = await waitTerminal(sent.Command!.CommandId!, id, seen);
    expect(seen).toContain('InProgress');
    expect(done).toMatchObject({ Status: 'TimedOut', StatusDetails: 'ExecutionTimedOut', ResponseCode: -1 });
  });

  it('remove role + restart-computer: ConnectionLost, then Online with a new boot time and RDP working', async () => {
    const id = await createInstance('cause-b');
    expect((await admin('GET', `/admin/instances/${id}/ground-truth`)).body).toEqual({ canRdp: false, reasons: ['licensing_lockout'] });
    const removed = await waitTerminal((await send([id], renderScriptText('remove-rdsh-role', 1))).Command!.CommandId!, id);
    expect(lastJsonLine(removed.StandardOutputContent!)).toMatchObject({ exitCode: 'SuccessRestartRequired', method: 'uninstall-windowsfeature' });

    const restart = await waitTerminal((await send([id], renderScriptText('restart-computer', 1, { delaySeconds: 30 }))).Command!.CommandId!, id);
    const bootBefore = lastJsonLine<{ bootTime: string }>(restart.StandardOutputContent!).bootTime;
    const first = await pingStatus(id);
    expect(first.PingStatus).toBe('Online');

    const statuses: string[] = [first.PingStatus!];
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !(statuses.includes('ConnectionLost') && statuses[statuses.length - 1] === 'Online')) {
      await sleep(50);
      const s = (await pingStatus(id)).PingStatus!;
      if (statuses[statuses.length - 1] !== s) statuses.push(s);
    }
    expect(statuses).toEqual(['Online', 'ConnectionLost', 'Online']);

    const after = await waitTerminal((await send([id], renderScriptText('verify', 1))).Command!.CommandId!, id);
    const facts = lastJsonLine<{ facts: { bootTime: string; rdsh: { installed: boolean; terminalServerMode: number } } }>(after.StandardOutputContent!).facts;
    expect(Date.parse(facts.bootTime)).toBeGreaterThan(Date.parse(bootBefore));
    expect(facts.rdsh).toMatchObject({ installed: false, terminalServerMode: 0 });
    expect((await admin('GET', `/admin/instances/${id}/ground-truth`)).body).toEqual({ canRdp: true, reasons: [] });
  });

  it('truncates output: 24,000 in GetCommandInvocation, 2,500 in ListCommandInvocations details', async () => {
    const id = await createInstance('healthy');
    await admin('PUT', `/admin/instances/${id}/faults`, { truncateOutputRate: 1 });
    const sent = await send([id], renderScriptText('diagnose', 1));
    const done: GetCommandInvocationCommandOutput = await waitTerminal(sent.Command!.CommandId!, id);
    expect(done.StandardOutputContent).toHaveLength(24_000);
    expect(done.StandardOutputContent!.endsWith('\n---Output truncated---')).toBe(true);

    const listed = await ssm.send(new ListCommandInvocationsCommand({ CommandId: sent.Command!.CommandId!, Details: true }));
    const inv = listed.CommandInvocations![0];
    expect(inv).toMatchObject({ Comment: 'rdpfix:run-42', Status: 'Success', InstanceId: id });
    const output = inv.CommandPlugins![0].Output!;
    expect(output).toHaveLength(2500);
    expect(output.endsWith('\n---Output truncated---')).toBe(true);
    expect(inv.CommandPlugins![0].ResponseStartDateTime).toBeInstanceOf(Date);
  });

  it('lists and pages invocations, commands and instance information', async () => {
    const ids = [await createInstance('healthy'), await createInstance('cause-a'), await createInstance('healthy')];
    const sent = await send(ids, renderScriptText('diagnose', 1));
    for (const id of ids) await waitTerminal(sent.Command!.CommandId!, id);
    const page1 = await ssm.send(new ListCommandInvocationsCommand({ CommandId: sent.Command!.CommandId!, MaxResults: 2 }));
    expect(page1.CommandInvocations).toHaveLength(2);
    expect(page1.CommandInvocations![0].CommandPlugins).toEqual([]);
    const page2 = await ssm.send(new ListCommandInvocationsCommand({ CommandId: sent.Command!.CommandId!, MaxResults: 2, NextToken: page1.NextToken }));
    expect(page2.CommandInvocations).toHaveLength(1);
    expect(page2.NextToken).toBeUndefined();
    const byInstance = await ssm.send(
      new ListCommandInvocationsCommand({ InstanceId: ids[1], Filters: [{ key: 'Status', value: 'Success' }] }),
    );
    expect(byInstance.CommandInvocations!.map((i) => i.InstanceId)).toEqual([ids[1]]);
    await expect(ssm.send(new ListCommandInvocationsCommand({ MaxResults: 51 }))).rejects.toMatchObject({ name: 'ValidationException' });

    const commands = await ssm.send(new ListCommandsCommand({ CommandId: sent.Command!.CommandId! }));
    expect(commands.Commands![0]).toMatchObject({ Status: 'Success', CompletedCount: 3, TargetCount: 3 });

    await admin('POST', '/admin/fleet', { count: 7, tenantId: 'tenant-b', region: REGION, mix: { healthy: 1 } });
    const info1 = await ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 5 }));
    expect(info1.InstanceInformationList).toHaveLength(5);
    const info2 = await ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 5, NextToken: info1.NextToken }));
    expect(info2.InstanceInformationList).toHaveLength(5);
    expect(info2.NextToken).toBeUndefined();
    const one = info1.InstanceInformationList![0];
    expect(one).toMatchObject({ PingStatus: 'Online', PlatformType: 'Windows', ResourceType: 'EC2Instance' });
    expect(one.PlatformName).toMatch(/^Microsoft Windows Server 20\d\d/);
    expect(one.LastPingDateTime).toBeInstanceOf(Date);
    expect(one.ComputerName).toMatch(/^EC2AMAZ-/);
    const online = await ssm.send(
      new DescribeInstanceInformationCommand({ InstanceInformationFilterList: [{ key: 'PingStatus', valueSet: ['ConnectionLost'] }] }),
    );
    expect(online.InstanceInformationList).toEqual([]);
    await expect(ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 4 }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('admin API validates input with clear 4xx errors; inventory answers ownership', async () => {
    const badOs = await admin('POST', '/admin/instances', { tenantId: 't', region: REGION, os: '2003' });
    expect(badOs.status).toBe(400);
    expect(JSON.stringify(badOs.body.message)).toMatch(/os must be one of/);
    const unknownField = await admin('POST', '/admin/instances', { tenantId: 't', region: REGION, os: '2019', overrides: { graceDayz: 3 } });
    expect(unknownField.status).toBe(400);
    expect(JSON.stringify(unknownField.body.message)).toMatch(/graceDayz should not exist/);
    const badNested = await admin('POST', '/admin/instances', { tenantId: 't', region: REGION, os: '2019', overrides: { licensing: { mode: 3 } } });
    expect(badNested.status).toBe(400);
    expect(JSON.stringify(badNested.body.message)).toMatch(/licensing\.mode/);
    const badRegion = await admin('POST', '/admin/instances', { tenantId: 't', region: 'mars', os: '2019' });
    expect(badRegion.status).toBe(400);
    const badMix = await admin('POST', '/admin/fleet', { count: 3, tenantId: 't', region: REGION, mix: { broken: 1 } });
    expect(badMix.status).toBe(400);
    expect(JSON.stringify(badMix.body.message)).toMatch(/mix must be an object mapping/);
    const malformed = await admin('POST', '/admin/instances', '{"tenantId":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/malformed JSON/);
    expect((await admin('POST', '/admin/instances/i-0123456789abcdef0/agent', { online: 'yes' })).status).toBe(400);
    expect((await admin('GET', '/admin/instances/i-0123456789abcdef0')).status).toBe(404);
    expect((await admin('PUT', '/admin/faults', { throttleRate: 2 })).status).toBe(400);

    const created = await admin('POST', '/admin/instances', {
      instanceId: 'i-0123456789abcdef0',
      tenantId: 'tenant-z',
      region: REGION,
      os: '2012R2',
      preset: 'licensed-ok',
      overrides: { licensing: { reachability: { 'ls01.corp.example.com': 6 } } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ instanceId: 'i-0123456789abcdef0', os: '2012R2', psVersion: '4.0' });
    expect((await admin('POST', '/admin/instances', { instanceId: 'i-0123456789abcdef0', tenantId: 't', region: REGION, os: '2019' })).status).toBe(409);
    expect((await admin('GET', '/admin/instances/i-0123456789abcdef0/ground-truth')).body).toEqual({ canRdp: false, reasons: ['licensing_lockout'] });

    const inv = await admin('GET', '/inventory/instances/i-0123456789abcdef0');
    expect(inv).toEqual({
      status: 200,
      body: { instanceId: 'i-0123456789abcdef0', tenantId: 'tenant-z', region: REGION, platform: 'windows', osFamily: '2012R2', state: 'running' },
    });
    expect((await admin('GET', '/inventory/instances/i-0fffffffffffffff0')).status).toBe(404);

    const fleet = await admin('POST', '/admin/fleet', { count: 10, tenantId: 'tenant-f', region: REGION, mix: { healthy: 1, 'cause-b': 1 } });
    expect(fleet.status).toBe(201);
    expect(fleet.body.byPreset).toEqual({ healthy: 5, 'cause-b': 5 });
    const stats = await admin('GET', '/admin/stats');
    expect(stats.body.instances).toBe(11);
  });
});
