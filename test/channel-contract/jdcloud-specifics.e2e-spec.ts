import { Logger } from '@nestjs/common';
import { JdcloudCommandChannel, JdcloudInventory, JdcloudVmClient, ScriptTooLargeError } from '@rdpfix/channel';
import { JdcloudApiError } from '@rdpfix/channel/jdcloud/jdcloud-errors';
import { JdcloudHttp } from '@rdpfix/channel/jdcloud/jdcloud-http';
import { packScript } from '@rdpfix/channel/jdcloud/script-transport';
import { signRequest } from '@rdpfix/channel/jdcloud/signing/jdcloud-signer';
import { startSimulator, RunningSimulator } from '../../apps/agent-sim/src/simulator';
import { createInstances, pollUntil, received, script } from './support/contract-helpers';

/** What only Cloud Assistant has: the gateway's signature checks, its limits, its spellings and its error envelope. */
describe('jdcloud channel specifics (simulator)', () => {
  let sim: RunningSimulator;
  const region = 'cn-north-1';
  const creds = { accessKeyId: 'simulator', secretAccessKey: 'simulator' };
  const http = (over: Partial<ConstructorParameters<typeof JdcloudHttp>[0]> = {}) =>
    new JdcloudHttp({ endpointFor: () => sim.url, service: 'assistant', credentials: () => creds, connectTimeoutMs: 1000, requestTimeoutMs: 3000, maxAttempts: 3, backoffBaseMs: 10, ...over });
  const channel = (over: Partial<ConstructorParameters<typeof JdcloudCommandChannel>[0]> = {}) =>
    new JdcloudCommandChannel({
      endpointFor: () => sim.url,
      vmEndpointFor: () => sim.url,
      credentials: () => creds,
      connectTimeoutMs: 1000,
      requestTimeoutMs: 3000,
      maxAttempts: 3,
      maxScriptBytes: 16000,
      deleteDelayS: 0,
      backoffBaseMs: 10,
      ...over,
    });
  const setJd = (patch: Record<string, unknown>) => {
    sim.jdcloud.config = { ...sim.jdcloud.config, ...patch };
  };
  const call = (h: JdcloudHttp, op: string, body: Record<string, unknown>) => h.call(region, `/v1/regions/${region}/${op}`, op, body, { retry: false });
  const send = (ch: JdcloudCommandChannel, ids: string[], marker = `rdpfix:spec-${Math.random()}`) =>
    ch.send({ region, instanceIds: ids, scriptText: script('diagnose'), marker, executionTimeoutS: 30, deliveryTimeoutS: 30 });

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, pendingMs: 20, runMs: 40, invisibleMs: 60, cancelMs: 30, timeoutScale: 0.02, seed: 11 });
  });
  afterAll(() => sim.close());
  afterEach(() => {
    sim.jdcloud.config = { ...sim.jdcloud.config, rateLimitRate: 0, quotaExceededRate: 0, serverErrorRate: 0, latencyMs: 0, unsupportedOps: [], finishSpelling: 'finish', outputEncoding: 'base64', authFailureStatus: 401 };
  });

  describe('gateway signature checks → 401', () => {
    it('a wrong secret, a stale date and a reused nonce are refused; a good signature passes', async () => {
      const before = sim.jdcloud.stats.authFailures;
      const bad = http({ credentials: () => ({ accessKeyId: 'simulator', secretAccessKey: 'wrong' }) });
      await expect(call(bad, 'describeCommands', {})).rejects.toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
      const stale = http({ now: () => new Date(Date.now() - 3600_000) });
      await expect(call(stale, 'describeCommands', {})).rejects.toMatchObject({ code: 401 });
      const fixed = http({ nonce: () => 'the-same-nonce' });
      await expect(call(fixed, 'describeCommands', {})).resolves.toMatchObject({ totalCount: expect.any(Number) });
      await expect(call(fixed, 'describeCommands', {})).rejects.toMatchObject({ code: 401 });
      const unknownKey = http({ credentials: () => ({ accessKeyId: 'nobody', secretAccessKey: 'x' }) });
      await expect(call(unknownKey, 'describeCommands', {})).rejects.toMatchObject({ code: 401 });
      expect(sim.jdcloud.stats.authFailures - before).toBe(4);
      await Promise.all([bad, stale, fixed, unknownKey].map((h) => h.close()));
    });

    it('a body changed after signing is refused (the hash covers the exact bytes)', async () => {
      const url = `${sim.url}/v1/regions/${region}/describeCommands`;
      const headers = signRequest({ method: 'POST', url, body: '{}', region, service: 'assistant', date: new Date(), nonce: `n-${Date.now()}` }, creds);
      delete (headers as Record<string, string>).host;
      const res = await fetch(url, { method: 'POST', headers, body: '{"pageSize":1}' });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { requestId: string };
      expect(body).toMatchObject({ requestId: expect.stringMatching(/^[a-z0-9]{32}$/), error: { code: 401, status: 'UNAUTHENTICATED' } });
      expect(res.headers.get('x-jdcloud-request-id')).toBe(body.requestId);
    });

    it('the adapter maps an auth failure (401, or 403 in that mode) to a non-retryable error, nothing sent', async () => {
      const [id] = createInstances(sim, 1, region, 'jdcloud');
      setJd({ authFailureStatus: 403 });
      const ch = channel({ credentials: () => ({ accessKeyId: 'simulator', secretAccessKey: 'wrong' }) });
      await expect(send(ch, [id])).rejects.toMatchObject({ name: 'ChannelError', code: 'HTTP_FORBIDDEN', retryable: false, sent: 'no' });
      expect(received(sim, id)).toHaveLength(0);
      await ch.close();
    });
  });

  describe('documented limits → 400 INVALID_ARGUMENT', () => {
    it.each([
      ['createCommand', 'a commandName with a space', { commandName: 'bad name!', commandType: 'powershell', commandContent: 'AAAA' }, /commandName/],
      ['createCommand', 'commandContent of 16 KB', { commandName: 'ok', commandType: 'powershell', commandContent: 'A'.repeat(16384) }, /commandContent/],
      ['createCommand', 'commandType cmd', { commandName: 'ok', commandType: 'cmd', commandContent: 'AAAA' }, /commandType/],
      ['createCommand', 'timeout 5 s', { commandName: 'ok', commandContent: 'AAAA', timeout: 5 }, /timeout/],
      ['createCommand', 'a 256-char description', { commandName: 'ok', commandContent: 'AAAA', commandDescription: 'x'.repeat(256) }, /commandDescription/],
      ['invokeCommand', '51 instances', { commandId: 'cmd-x', instances: Array.from({ length: 51 }, (_, i) => `i-${String(i).padStart(10, 'a')}`) }, /instances/],
      ['describeInvocations', 'pageSize 101', { pageSize: 101 }, /pageSize/],
      ['describeCommands', '101 commandIds', { commandIds: Array.from({ length: 101 }, (_, i) => `c${i}`) }, /commandIds/],
    ] as [string, string, Record<string, unknown>, RegExp][])('%s refuses %s', async (op, _what, body, message) => {
      const h = http();
      let err: unknown;
      if (op === 'invokeCommand') {
        const created = await call(h, 'createCommand', { commandName: 'limits', commandType: 'powershell', commandContent: 'AAAA' });
        body = { ...body, commandId: (created as { commandId: string }).commandId };
      }
      await call(h, op, body).catch((e) => (err = e));
      expect(err).toBeInstanceOf(JdcloudApiError);
      expect(err).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', message: expect.stringMatching(message) });
      await h.close();
    });

    it('unknown ids are 404 NOT_FOUND; the region in the body must match the path', async () => {
      const h = http();
      await expect(call(h, 'invokeCommand', { commandId: 'cmd-nope', instances: ['i-aaaaaaaaaa'] })).rejects.toMatchObject({ code: 404, status: 'NOT_FOUND' });
      await expect(call(h, 'describeCommands', { regionId: 'cn-south-1' })).rejects.toMatchObject({ code: 400 });
      await h.close();
    });
  });

  it('both success spellings and both output encodings read the same', async () => {
    const ch = channel();
    const outs: string[] = [];
    for (const [spelling, encoding] of [['finish', 'base64'], ['finished', 'raw']] as const) {
      setJd({ finishSpelling: spelling, outputEncoding: encoding });
      const [id] = createInstances(sim, 1, region, 'jdcloud');
      const { result } = await pollUntil(ch, region, (await send(ch, [id])).commandId, id);
      expect(result).toMatchObject({ status: 'succeeded', providerStatus: spelling, exitCode: 0 });
      outs.push(result.stdout.split('\n').filter(Boolean).pop()!.slice(0, 40));
    }
    expect(outs[0]).toBe(outs[1]);
    expect(outs[0]).toMatch(/^\{"script":"diagnose"/);
    await ch.close();
  });

  it('QUOTA_EXCEEDED is never retried; RATE_LIMIT and 503 on reads are retried with backoff', async () => {
    const ch = channel();
    const [id] = createInstances(sim, 1, region, 'jdcloud');
    const calls = (op: string) => sim.jdcloud.stats.calls[op] ?? 0;
    setJd({ quotaExceededRate: 1 });
    const c0 = calls('createCommand');
    await expect(send(ch, [id])).rejects.toMatchObject({ name: 'ChannelError', code: 'QUOTA_EXCEEDED', retryable: false, sent: 'no' });
    expect(calls('createCommand') - c0).toBe(1);
    setJd({ quotaExceededRate: 0 });
    const { commandId } = await send(ch, [id]);
    setJd({ serverErrorRate: 1, serverErrorCodes: [503] });
    const d0 = calls('describeInvocations');
    await expect(ch.result(region, commandId, id)).rejects.toMatchObject({ name: 'ChannelError', code: 'UNAVAILABLE', retryable: true, sent: 'no' });
    expect(calls('describeInvocations') - d0).toBe(3);
    setJd({ serverErrorRate: 0, rateLimitRate: 1 });
    const r0 = calls('describeInvocations');
    await expect(ch.result(region, commandId, id)).rejects.toMatchObject({ name: 'ChannelThrottledError' });
    expect(calls('describeInvocations') - r0).toBe(3);
    setJd({ rateLimitRate: 0 });
    expect((await pollUntil(ch, region, commandId, id)).result.status).toBe('succeeded');
    expect(received(sim, id)).toHaveLength(1);
    await ch.close();
  });

  it('a 5xx on invokeCommand is an unknown outcome; on createCommand nothing ran', async () => {
    const ch = channel();
    const [id] = createInstances(sim, 1, region, 'jdcloud');
    setJd({ unsupportedOps: ['invokeCommand'] });
    await expect(send(ch, [id])).rejects.toMatchObject({ name: 'ChannelError', retryable: true, sent: 'unknown' });
    setJd({ unsupportedOps: [], serverErrorRate: 1, serverErrorCodes: [500] });
    await expect(send(ch, [id])).rejects.toMatchObject({ name: 'ChannelError', retryable: true, sent: 'no' });
    expect(received(sim, id)).toHaveLength(0);
    await ch.close();
  });

  it('slow answers: a call slower than the request timeout fails within the bound', async () => {
    const ch = channel({ requestTimeoutMs: 150, maxAttempts: 1 });
    setJd({ latencyMs: 1500 });
    const t0 = Date.now();
    await expect(ch.instanceInfo(region, ['i-aaaaaaaaaa'])).rejects.toMatchObject({ name: 'ChannelError', code: 'NetworkError', retryable: true });
    expect(Date.now() - t0).toBeLessThan(1200);
    await ch.close();
  });

  it('finished commands are deleted (deleteCommands), after their results were read', async () => {
    const ch = channel();
    const [id] = createInstances(sim, 1, region, 'jdcloud');
    const before = sim.jdcloud.stats.calls.deleteCommands ?? 0;
    const marker = 'rdpfix:deleted-after-read';
    const { commandId } = await send(ch, [id], marker);
    expect([...sim.jdcloud.commands.values()].some((c) => c.commandDescription === marker)).toBe(true);
    await pollUntil(ch, region, commandId, id);
    await ch.flushDeletions();
    expect((sim.jdcloud.stats.calls.deleteCommands ?? 0) - before).toBeGreaterThanOrEqual(1);
    expect([...sim.jdcloud.commands.values()].some((c) => c.commandDescription === marker)).toBe(false);
    expect(ch.pendingDeletions()).toBe(0);
    await ch.close();
  });

  it('operations gone from current SDKs: describeAssistants falls back to the VM status; stopInvocation fails clearly', async () => {
    const ch = channel();
    const [id] = createInstances(sim, 1, region, 'jdcloud');
    setJd({ unsupportedOps: ['describeAssistants', 'stopInvocation'] });
    const info = await ch.instanceInfo(region, [id]);
    expect(info.get(id)).toMatchObject({ online: true, pingStatus: 'vm:running', platformName: 'windows' });
    await expect(ch.cancel(region, 'inv-x', [id])).rejects.toMatchObject({ code: 'CancelUnsupported', retryable: false });
    await ch.close();
  });

  it('logs request ids and never the credentials', async () => {
    const lines: string[] = [];
    const spies = (['warn', 'debug', 'log'] as const).map((m) => jest.spyOn(Logger.prototype, m).mockImplementation(((msg: unknown) => void lines.push(String(msg))) as never));
    const secret = 'a-very-secret-key';
    setJd({ credentials: { ...sim.jdcloud.config.credentials, AKSPY: secret } });
    const ch = channel({ credentials: () => ({ accessKeyId: 'AKSPY', secretAccessKey: secret }) });
    setJd({ serverErrorRate: 1, serverErrorCodes: [502] });
    await ch.instanceInfo(region, ['i-aaaaaaaaaa']).catch(() => undefined);
    setJd({ serverErrorRate: 0 });
    spies.forEach((s) => s.mockRestore());
    expect(lines.some((l) => /requestId=[a-z0-9]{32}/.test(l))).toBe(true);
    expect(lines.join('\n')).not.toContain(secret);
    await ch.close();
  });

  it('fails at construction when a rendered runbook script would not fit', () => {
    expect(() => channel({ maxScriptBytes: 4000 })).toThrow(ScriptTooLargeError);
  });

  it('the simulator runs the packed script: header, parameters and body survive the transport', async () => {
    const ch = channel();
    const [id] = createInstances(sim, 1, region, 'jdcloud', 'cause-a');
    const text = script('set-single-session');
    expect(packScript(text).commandContent.length).toBeLessThan(16000);
    const { commandId } = await ch.send({ region, instanceIds: [id], scriptText: text, marker: 'rdpfix:transport', executionTimeoutS: 30, deliveryTimeoutS: 30 });
    expect((await pollUntil(ch, region, commandId, id)).result.status).toBe('succeeded');
    expect(received(sim, id)[0]).toMatchObject({ scriptName: 'set-single-session', recognized: true, params: { value: '0' }, effectApplied: true });
    await ch.close();
  });

  describe('inventory on JD Cloud (VM API)', () => {
    it('describeInstances by instanceId: owner tag, osType, status; unknown ids are null; rebootInstance restarts a running VM once', async () => {
      const vm = new JdcloudVmClient({ endpointFor: () => sim.url, credentials: () => creds, connectTimeoutMs: 1000, requestTimeoutMs: 3000, maxAttempts: 2 });
      const inv = new JdcloudInventory({ vm, regions: ['cn-east-2', region], ownerTagKey: 'tenant' });
      const [id] = createInstances(sim, 1, region, 'jdcloud');
      const rec = await inv.find(id);
      expect(rec).toEqual({ instanceId: id, tenantId: 'tenant-c', region, platform: 'windows', osFamily: '2019', state: 'running' });
      expect(JdcloudInventory.eligible(rec!, 'tenant-c')).toEqual({ ok: true, why: null });
      expect(JdcloudInventory.eligible(rec!, 'tenant-x').ok).toBe(false);
      expect(await inv.find('i-zzzzzzzzzz')).toBeNull();
      const reboots = sim.store.stats.reboots;
      expect(await inv.rebootInstance(region, id)).toEqual({ rebooted: true, reason: null });
      expect(sim.store.stats.reboots - reboots).toBe(1);
      // Rebooting already: refused with the reason, no second restart.
      expect(await inv.rebootInstance(region, id)).toMatchObject({ rebooted: false, reason: expect.stringMatching(/FAILED_PRECONDITION/) });
      expect(sim.store.stats.reboots - reboots).toBe(1);
      expect((await inv.find(id))!.state).toBe('rebooting');
      await vm.close();
    });
  });
});
